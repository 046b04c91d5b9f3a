/* index.c - placeholder until the index lands. */
#include "match.h"
