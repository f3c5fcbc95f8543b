package main

/*
#include <malloc.h>
#include <stdlib.h>

// Runs when the program is loaded, before the Go runtime starts its threads: glibc fixes the
// number of arenas at the first contention, so a later mallopt would come too late.
__attribute__((constructor)) static void imgrepl_webhook_arenas(void) {
	if (getenv("MALLOC_ARENA_MAX") == NULL) {
		mallopt(M_ARENA_MAX, 1);
	}
}
*/
import "C"
