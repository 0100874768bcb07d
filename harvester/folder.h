/*
 * folder.h — partners that publish metadata as files: a Web Accessible
 * Folder (an Apache or nginx autoindex page linking XML files) or a local
 * directory.
 *
 *   folder_parse_index   one autoindex page → the XML files it links, and
 *                        its subfolders (HTML read by libxml2's HTML parser,
 *                        network off; nothing is fetched here)
 *   folder_list_dir      a local directory, recursively → its XML files
 *
 * Only what lies under the folder is taken: parent links, other hosts,
 * sort links ("?C=N;O=D") and other schemes are ignored, and every list
 * has a cap (FOLDER_MAX_FILES, FOLDER_MAX_DEPTH).  Names come out sorted,
 * so a listing is the same from one run to the next.
 */
#ifndef MOISSON_FOLDER_H
#define MOISSON_FOLDER_H

#include "result.h"

#include <stddef.h>
#include <stdio.h>

#define FOLDER_MAX_FILES 100000 /* files of one folder, subfolders included */
#define FOLDER_MAX_DEPTH 8      /* subfolder levels followed */
#define FOLDER_MAX_URL 2048

/* A list of URLs or paths, owned. */
struct folder_list {
    char **items;
    size_t n, cap;
};

void folder_list_free(struct folder_list *l);

/* Sorts and removes duplicates. */
void folder_list_sort(struct folder_list *l);

/* Reads an autoindex page (body of base_url, which names a folder: it ends
 * with '/' or is taken as if it did) and appends the absolute URLs of the
 * XML files it links to files, and of its subfolders to dirs.  name labels
 * the input in messages.  A page that is no HTML listing at all (an XML
 * document, an empty body) fails with MO_EPARTNER naming it. */
mo_rc folder_parse_index(FILE *body, const char *base_url, struct folder_list *files,
                         struct folder_list *dirs, struct mo_err *err) MO_MUST_CHECK;

/* Appends the paths of the regular *.xml files under dir (symbolic links to
 * directories are not followed), sorted.  MO_ENOTFOUND for a missing dir,
 * MO_ELIMIT past FOLDER_MAX_FILES. */
mo_rc folder_list_dir(const char *dir, struct folder_list *files, struct mo_err *err) MO_MUST_CHECK;

/* True when name ends in ".xml" (any case). */
int folder_is_xml_name(const char *name);

#endif
