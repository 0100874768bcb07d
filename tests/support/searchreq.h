/*
 * searchreq.h — a search request (aggregator/search.h) from URL-like text,
 * for the tests of the search.
 */
#ifndef MOISSON_SEARCHREQ_H
#define MOISSON_SEARCHREQ_H

#include "search.h"

#include <stddef.h>

/* Fills r from "k=v&k=v" (no %-encoding: the test values hold no '&'),
 * copying the text into copy (size bytes; r's strings point into it); fails
 * the calling cmocka test on a parameter search_request_set refuses. */
void searchreq_parse(struct search_request *r, char *copy, size_t size, const char *query);

#endif
