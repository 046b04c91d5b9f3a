/* bench.h - benchmark entry points behind `hashmatch bench <what>`. Each prints
 * JSON on stdout and measures its baseline in the same run. */
#ifndef HM_BENCH_H
#define HM_BENCH_H

int bench_hash(int argc, char **argv);
int bench_set(int argc, char **argv);
int bench_match(int argc, char **argv);
int bench_pairs(int argc, char **argv);
int bench_video(int argc, char **argv);

#endif /* HM_BENCH_H */
