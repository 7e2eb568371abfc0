/* SPDX-License-Identifier: MIT
 *
 * evidence.c - SHA-256 of evidence files and folder manifests.
 *
 * Files are read sequentially with a 1 MiB buffer through libcrypto's EVP
 * interface, which uses the CPU's SHA extensions where present.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/evidence.h"

#define HASH_BUFFER_SIZE (1 << 20)

static void
digest_to_hex(const unsigned char *digest, char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}

static int
hash_file(const char *path, char out[65], gint64 *size_r, char **error_r)
{
	unsigned char digest[32];
	unsigned char *buf;
	EVP_MD_CTX *ctx;
	gint64 total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*error_r = g_strdup_printf("cannot open '%s': %s", path,
					   g_strerror(errno));
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = g_malloc(HASH_BUFFER_SIZE);
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	while ((n = read(fd, buf, HASH_BUFFER_SIZE)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error_r = g_strdup_printf(
				"read failed on '%s' at offset %lld: %s", path,
				(long long)total, g_strerror(errno));
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		total += n;
	}
	close(fd);
	g_free(buf);
	if (n < 0) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	EVP_DigestFinal_ex(ctx, digest, NULL);
	EVP_MD_CTX_free(ctx);
	digest_to_hex(digest, out);
	*size_r = total;
	return 0;
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the relative paths of regular files below root/rel. */
static int
list_files(const char *root, const char *rel, GPtrArray *out,
	   char **error_r)
{
	char *dirpath = rel[0] != '\0' ?
		g_build_filename(root, rel, NULL) : g_strdup(root);
	DIR *dir = opendir(dirpath);
	struct dirent *de;
	int rc = 0;

	if (dir == NULL && rel[0] != '\0') {
		/* A sub-folder that cannot be listed is kept in the manifest
		 * under a name no file can have, and the reader reports it. */
		g_ptr_array_add(out, g_strconcat(rel, "/", NULL));
		g_free(dirpath);
		return 0;
	}
	if (dir == NULL) {
		*error_r = g_strdup_printf("cannot read folder '%s': %s",
					   dirpath, g_strerror(errno));
		g_free(dirpath);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		struct stat sb;
		char *child_rel, *child;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child_rel = rel[0] != '\0' ?
			g_strconcat(rel, "/", de->d_name, NULL) :
			g_strdup(de->d_name);
		child = g_build_filename(root, child_rel, NULL);
		if (lstat(child, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = list_files(root, child_rel, out, error_r);
		else if (lstat(child, &sb) == 0 && S_ISREG(sb.st_mode))
			g_ptr_array_add(out, g_strdup(child_rel));
		g_free(child_rel);
		g_free(child);
	}
	closedir(dir);
	g_free(dirpath);
	return rc;
}

static int
hash_folder(const char *path, char out[65], gint64 *size_r, char **error_r)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	unsigned char digest[32];
	EVP_MD_CTX *ctx;
	gint64 total = 0;
	int rc;

	rc = list_files(path, "", files, error_r);
	if (rc < 0) {
		g_ptr_array_unref(files);
		return -1;
	}
	g_ptr_array_sort(files, compare_paths);

	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (guint i = 0; i < files->len && rc == 0; i++) {
		const char *rel = g_ptr_array_index(files, i);
		char *full = g_build_filename(path, rel, NULL);
		char file_hex[65];
		gint64 size;

		char *file_error = NULL;

		/* Unreadable files and unlistable folders stay in the
		 * manifest, marked as such, and the reader reports them. */
		if (g_str_has_suffix(rel, "/")) {
			g_strlcpy(file_hex, "unlistable", sizeof(file_hex));
			size = 0;
		} else if (hash_file(full, file_hex, &size, &file_error) < 0) {
			g_strlcpy(file_hex, "unreadable", sizeof(file_hex));
			size = 0;
			g_free(file_error);
		}
		g_free(full);
		total += size;
		EVP_DigestUpdate(ctx, rel, strlen(rel) + 1);
		EVP_DigestUpdate(ctx, file_hex, strlen(file_hex));
		EVP_DigestUpdate(ctx, "\n", 1);
	}
	EVP_DigestFinal_ex(ctx, digest, NULL);
	EVP_MD_CTX_free(ctx);
	g_ptr_array_unref(files);
	if (rc < 0)
		return -1;
	digest_to_hex(digest, out);
	*size_r = total;
	return 0;
}

int
evidence_hash(const char *path, char out[65], gint64 *size_r,
	      char **error_r)
{
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		*error_r = g_strdup_printf("cannot stat '%s': %s", path,
					   g_strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return hash_folder(path, out, size_r, error_r);
	if (S_ISREG(sb.st_mode))
		return hash_file(path, out, size_r, error_r);
	*error_r = g_strdup_printf("'%s' is neither a regular file nor a "
				   "folder", path);
	return -1;
}
