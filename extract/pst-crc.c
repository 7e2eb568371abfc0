/* SPDX-License-Identifier: MIT
 *
 * pst-crc.c - checks the block CRCs behind each PST item read.
 *
 * libpff reads blocks without checking the dwCRC in their trailers
 * ([MS-PST] 2.2.2.8.1).  This file scans every B-tree leaf page
 * in the file, live or superseded, for the node and block entries an
 * item's node had, then reads its data, XBLOCK and subnode blocks
 * and compares each CRC.  32-bit ANSI and 64-bit Unicode files only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "extract/pst-private.h"

#define PST_CRC_PAGE 512
#define PST_CRC_SCAN_CHUNK (1024 * 1024)
#define PST_CRC_BLOCK_MAX 8192
/* Blocks checked for one node: bounds garbage subnode trees. */
#define PST_CRC_BLOCKS_MAX 65536
#define PST_PTYPE_BBT 0x80
#define PST_PTYPE_NBT 0x81

struct pst_crc_node {
	uint64_t data;
	uint64_t sub;
};

struct pst_crc_block {
	uint64_t ib;
	uint16_t cb;
};

struct pst_crc {
	int fd;
	gboolean ansi;
	gint64 file_size;
	GHashTable *nodes;   /* nid -> GArray of struct pst_crc_node */
	GHashTable *blocks;  /* bid -> GArray of struct pst_crc_block */
};

/* Progress of the check of one node. */
struct pst_crc_run {
	struct pst_crc *crc;
	int blocks;
	gboolean unknown;
	uint32_t sub;       /* top subnode whose tree is being checked */
	char *mismatch;     /* description of the first bad block */
	struct pst_crc_fault fault;
};

static uint32_t
pst_crc_compute(const unsigned char *data, size_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0;

	if (table[1] == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	/* [MS-PST] 5.3: CRC-32 starting at 0, no final inversion. */
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

static uint32_t
pst_crc_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return GUINT32_FROM_LE(v);
}

static uint64_t
pst_crc_id(const unsigned char *p, gboolean ansi)
{
	uint64_t v;

	if (ansi)
		return pst_crc_le32(p);
	memcpy(&v, p, sizeof v);
	return GUINT64_FROM_LE(v);
}

static void
pst_crc_add(GHashTable *table, uint64_t key, const void *value, guint size)
{
	GArray *list = g_hash_table_lookup(table, &key);

	if (list == NULL) {
		uint64_t *k = g_new(uint64_t, 1);

		*k = key;
		list = g_array_new(FALSE, FALSE, size);
		g_hash_table_insert(table, k, list);
	}
	if (list->len < 64)
		g_array_append_vals(list, value, 1);
}

/* Adds the entries of one B-tree leaf page whose own CRC matches. */
static void
pst_crc_page(struct pst_crc *crc, const unsigned char *page)
{
	gboolean ansi = crc->ansi;
	size_t trailer = ansi ? 500 : 496;
	size_t meta = ansi ? 496 : 488;
	uint32_t stored;
	int ptype = page[trailer];
	int count = page[meta], size = page[meta + 2], level = page[meta + 3];

	if ((ptype != PST_PTYPE_BBT && ptype != PST_PTYPE_NBT) ||
	    page[trailer + 1] != ptype || level != 0)
		return;
	stored = pst_crc_le32(page + trailer + (ansi ? 8 : 4));
	if (pst_crc_compute(page, trailer) != stored)
		return;
	if (size != (ptype == PST_PTYPE_NBT ? (ansi ? 16 : 32) :
					      (ansi ? 12 : 24)) ||
	    (size_t)count * size > meta)
		return;
	for (int i = 0; i < count; i++) {
		const unsigned char *e = page + (size_t)i * size;
		int w = ansi ? 4 : 8;

		if (ptype == PST_PTYPE_NBT) {
			struct pst_crc_node n = { pst_crc_id(e + w, ansi),
						  pst_crc_id(e + 2 * w,
							     ansi) };

			pst_crc_add(crc->nodes,
				    pst_crc_id(e, ansi) & 0xffffffffu, &n,
				    sizeof n);
		} else {
			struct pst_crc_block b = {
				pst_crc_id(e + w, ansi),
				(uint16_t)(e[2 * w] | e[2 * w + 1] << 8)
			};

			pst_crc_add(crc->blocks, pst_crc_id(e, ansi) & ~1ull,
				    &b, sizeof b);
		}
	}
}

static void
pst_crc_list_free(gpointer list)
{
	g_array_free(list, TRUE);
}

void
pst_crc_free(struct pst_crc *crc)
{
	if (crc == NULL)
		return;
	if (crc->fd >= 0)
		close(crc->fd);
	g_hash_table_destroy(crc->nodes);
	g_hash_table_destroy(crc->blocks);
	g_free(crc);
}

/* Reads the whole file once and indexes its B-tree leaf entries.
 * Returns NULL with *error_r set for an unreadable file or a 4k-page one.
 * NOTE: memory grows with the number of blocks in the file: 25 MB for a
 * 223 MB pstgen store, so several GB for a store of tens of GB. */
struct pst_crc *
pst_crc_scan(const char *path, char **error_r)
{
	unsigned char head[16];
	unsigned char *buf;
	struct pst_crc *crc;
	gint64 at = 0;
	ssize_t got;
	int ver;

	crc = g_new0(struct pst_crc, 1);
	crc->nodes = g_hash_table_new_full(g_int64_hash, g_int64_equal,
					   g_free, pst_crc_list_free);
	crc->blocks = g_hash_table_new_full(g_int64_hash, g_int64_equal,
					    g_free, pst_crc_list_free);
	crc->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (crc->fd < 0 || pread(crc->fd, head, 16, 0) != 16) {
		*error_r = g_strdup_printf("cannot read '%s': %s", path,
					   g_strerror(errno));
		pst_crc_free(crc);
		return NULL;
	}
	ver = head[10] | head[11] << 8;
	if (ver != 14 && ver != 15 && ver != 23) {
		*error_r = g_strdup_printf("wVer %d is not checked", ver);
		pst_crc_free(crc);
		return NULL;
	}
	crc->ansi = ver != 23;
	buf = g_malloc(PST_CRC_SCAN_CHUNK);
	while ((got = pread(crc->fd, buf, PST_CRC_SCAN_CHUNK, at)) > 0) {
		for (ssize_t off = 0; off + PST_CRC_PAGE <= got;
		     off += PST_CRC_PAGE)
			pst_crc_page(crc, buf + off);
		at += got - got % PST_CRC_PAGE;
		if (got < PST_CRC_PAGE)
			break;
	}
	crc->file_size = at + (got > 0 ? got : 0);
	g_free(buf);
	return crc;
}

static void pst_crc_block_check(struct pst_crc_run *run, uint64_t bid,
				int depth);

/* Checks the data and subnode blocks of one SLBLOCK entry, noting the
 * outermost subnode (an attachment's) they belong to. */
static void
pst_crc_sub_check(struct pst_crc_run *run, const unsigned char *e,
		  int depth)
{
	gboolean ansi = run->crc->ansi;
	size_t w = ansi ? 4 : 8;
	uint32_t outer = run->sub;

	if (outer == 0)
		run->sub = (uint32_t)pst_crc_id(e, ansi);
	pst_crc_block_check(run, pst_crc_id(e + w, ansi), depth + 1);
	if (pst_crc_id(e + 2 * w, ansi) != 0)
		pst_crc_block_check(run, pst_crc_id(e + 2 * w, ansi),
				    depth + 1);
	run->sub = outer;
}

/* Follows the block ids an XBLOCK, XXBLOCK, SLBLOCK or SIBLOCK lists. */
static void
pst_crc_internal(struct pst_crc_run *run, const unsigned char *data,
		 size_t cb, int depth)
{
	gboolean ansi = run->crc->ansi;
	size_t w = ansi ? 4 : 8;
	size_t start, step;
	int count;

	if (cb < 8 || depth > 4)
		return;
	count = data[2] | data[3] << 8;
	if (data[0] == 0x01) {
		start = 8;
		step = w;
	} else if (data[0] == 0x02) {
		start = ansi ? 4 : 8;
		step = (data[1] == 0 ? 3 : 2) * w;
	} else {
		return;
	}
	for (int i = 0; i < count && start + (i + 1) * step <= cb; i++) {
		const unsigned char *e = data + start + i * step;

		if (data[0] == 0x01) {
			pst_crc_block_check(run, pst_crc_id(e, ansi),
					    depth + 1);
			continue;
		}
		if (data[1] != 0) {
			pst_crc_block_check(run, pst_crc_id(e + w, ansi),
					    depth + 1);
			continue;
		}
		pst_crc_sub_check(run, e, depth);
	}
}

/* Checks the block at one BBT entry.  Returns 1 when the CRC matches, 0
 * when it does not, -1 when the trailer there is of another block. */
static int
pst_crc_try(struct pst_crc_run *run, uint64_t bid,
	    const struct pst_crc_block *b, unsigned char *block)
{
	gboolean ansi = run->crc->ansi;
	size_t tsize = ansi ? 12 : 16;
	size_t total = (b->cb + tsize + 63) / 64 * 64;
	const unsigned char *t;
	uint64_t tbid;
	uint32_t tcrc;

	if (b->cb > PST_CRC_BLOCK_MAX - tsize ||
	    b->ib + total > (uint64_t)run->crc->file_size ||
	    pread(run->crc->fd, block, total, b->ib) != (ssize_t)total)
		return -1;
	t = block + total - tsize;
	tbid = pst_crc_id(t + (ansi ? 4 : 8), ansi);
	tcrc = pst_crc_le32(t + (ansi ? 8 : 4));
	if ((t[0] | t[1] << 8) != b->cb || (tbid & ~1ull) != bid)
		return -1;
	return pst_crc_compute(block, b->cb) == tcrc;
}

static void
pst_crc_block_check(struct pst_crc_run *run, uint64_t bid, int depth)
{
	unsigned char block[PST_CRC_BLOCK_MAX];
	const struct pst_crc_block *bad = NULL;
	GArray *list;

	bid &= ~1ull;
	if (bid == 0 || ++run->blocks > PST_CRC_BLOCKS_MAX)
		return;
	list = g_hash_table_lookup(run->crc->blocks, &bid);
	for (guint i = 0; list != NULL && i < list->len; i++) {
		const struct pst_crc_block *b =
			&g_array_index(list, struct pst_crc_block, i);
		int ok = pst_crc_try(run, bid, b, block);

		if (ok == 1) {
			if (bid & 2)
				pst_crc_internal(run, block, b->cb, depth);
			return;
		}
		if (ok == 0 && bad == NULL)
			bad = b;
	}
	if (bad == NULL)
		run->unknown = TRUE;
	else if (run->mismatch == NULL) {
		run->fault.bid = bid;
		run->fault.offset = bad->ib;
		run->fault.sub_nid = run->sub;
		run->mismatch = g_strdup_printf("block 0x%llx at offset %llu "
						"(%u bytes)",
						(unsigned long long)bid,
						(unsigned long long)bad->ib,
						bad->cb);
	}
}

static int
pst_crc_check_one(struct pst_crc *crc, const struct pst_crc_node *n,
		  char **detail_r, struct pst_crc_fault *fault_r)
{
	struct pst_crc_run run = { .crc = crc };

	pst_crc_block_check(&run, n->data, 0);
	if (n->sub != 0)
		pst_crc_block_check(&run, n->sub, 0);
	if (run.mismatch != NULL) {
		*detail_r = run.mismatch;
		*fault_r = run.fault;
		return 0;
	}
	if (run.unknown || run.blocks > PST_CRC_BLOCKS_MAX) {
		*detail_r = g_strdup("some of its blocks are in no block "
				     "B-tree page");
		return -1;
	}
	return 1;
}

/* Checks every block behind node nid, for each node B-tree entry found
 * for it.  Returns 1 when all CRCs of one entry match, 0 on a mismatch
 * (*detail_r names the block and *fault_r, when not NULL, locates it),
 * -1 when blocks are missing (*detail_r gives the reason). */
int
pst_crc_check_node(struct pst_crc *crc, uint32_t nid, char **detail_r,
		   struct pst_crc_fault *fault_r)
{
	struct pst_crc_fault fault = { 0 };
	uint64_t key = nid;
	GArray *list = g_hash_table_lookup(crc->nodes, &key);
	char *mismatch = NULL;
	char *unknown = NULL;

	*detail_r = NULL;
	for (guint i = 0; list != NULL && i < list->len; i++) {
		char *detail = NULL;
		struct pst_crc_fault f = { 0 };
		int ok = pst_crc_check_one(crc, &g_array_index(
				list, struct pst_crc_node, i), &detail, &f);

		if (ok == 1) {
			g_free(mismatch);
			g_free(unknown);
			return 1;
		}
		if (ok == 0 && mismatch == NULL) {
			mismatch = g_steal_pointer(&detail);
			fault = f;
		}
		else if (ok == -1 && unknown == NULL)
			unknown = g_steal_pointer(&detail);
		g_free(detail);
	}
	if (mismatch != NULL) {
		g_free(unknown);
		*detail_r = mismatch;
		if (fault_r != NULL)
			*fault_r = fault;
		return 0;
	}
	*detail_r = unknown != NULL ? unknown :
		g_strdup_printf("no node B-tree entry for nid 0x%x was "
				"found", nid);
	return -1;
}
