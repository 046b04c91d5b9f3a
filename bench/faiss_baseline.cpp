// faiss_baseline.cpp - FAISS baselines for `hashmatch bench match`, a separate
// program because FAISS is C++ (built only when CMake finds libfaiss).
//
//   hashmatch-faiss CODES N BYTES QUERIES NQ RADIUS TRUTH
//
// Reads the same codes and queries the benchmark generated (raw files) and the
// brute-force answer (per query: a uint64 count and the entry numbers), runs
// IndexBinaryFlat (exhaustive) and IndexBinaryMultiHash (16 tables of 16 bits
// and, up to 2M codes, 8 of 32 for 256-bit codes; 4 of 16 for 64-bit codes;
// each with enough bit flips per table for an exact search at RADIUS) on one
// thread, and prints one line per method:
//   row<TAB>method<TAB>p50_us<TAB>p99_us<TAB>recall<TAB>beyond<TAB>build_s
//      <TAB>bytes_per_entry<TAB>queries<TAB>note
// FAISS's range search keeps distances strictly below its radius: it is given
// RADIUS + 1. The slow methods time an evenly spaced subset of the queries
// (every k-th), so they see the same mix as the other rows: the benchmark's
// first half is planted near entries, the second half unrelated.
// HM_FAISS_LABEL names the FAISS build (bench/faiss.cmake).
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

double now()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

bool read_file(const char *path, std::vector<uint8_t> &out, size_t size)
{
    FILE *f = std::fopen(path, "rb");
    if (!f) return false;
    out.resize(size);
    bool ok = std::fread(out.data(), 1, size, f) == size;
    std::fclose(f);
    return ok;
}

bool read_truth(const char *path, size_t nq, std::vector<std::vector<int64_t>> &truth)
{
    FILE *f = std::fopen(path, "rb");
    if (!f) return false;
    truth.resize(nq);
    bool ok = true;
    for (size_t i = 0; i < nq && ok; i++) {
        uint64_t count = 0;
        ok = std::fread(&count, sizeof count, 1, f) == 1;
        std::vector<uint64_t> e(count);
        ok = ok && std::fread(e.data(), sizeof(uint64_t), count, f) == count;
        truth[i].assign(e.begin(), e.end());
    }
    std::fclose(f);
    return ok;
}

struct stats {
    std::vector<double> times;
    double found = 0, beyond = 0, expected = 0;
};

// Times one range search per query and scores it against the truth.
// Times one range search per query for `count` queries evenly spaced over
// the nq (every nq/count-th) and scores them against the truth.
void run(const faiss::IndexBinary &index, const std::vector<uint8_t> &queries, size_t bytes,
         size_t nq, size_t count, int radius, const std::vector<std::vector<int64_t>> &truth,
         stats &s)
{
    count = std::min(count, nq);
    for (size_t k = 0; k < count; k++) {
        size_t i = k * nq / count;
        faiss::RangeSearchResult res(1);
        double t0 = now();
        index.range_search(1, queries.data() + bytes * i, radius + 1, &res);
        s.times.push_back(now() - t0);
        const std::vector<int64_t> &want = truth[i];
        for (size_t k = res.lims[0]; k < res.lims[1]; k++) {
            if (std::binary_search(want.begin(), want.end(), res.labels[k])) s.found += 1;
            else s.beyond += 1;
        }
        s.expected += (double)want.size();
    }
}

void print_row(const char *method, stats &s, double build_s, double bytes_per_entry,
               const std::string &note)
{
    std::sort(s.times.begin(), s.times.end());
    size_t n = s.times.size();
    double p50 = n ? s.times[n / 2] * 1e6 : 0, p99 = n ? s.times[std::min(n - 1, n * 99 / 100)] * 1e6 : 0;
    double recall = s.expected > 0 ? s.found / s.expected : (s.found == 0 ? 1.0 : 0.0);
    std::printf("row\t%s\t%.2f\t%.2f\t%.6f\t%.0f\t%.3f\t%.2f\t%zu\t%s\n", method, p50, p99, recall,
                s.beyond, build_s, bytes_per_entry, n, note.c_str());
}

// Bytes of the hash tables' entry lists and buckets (not the stored codes).
double multihash_bytes(const faiss::IndexBinaryMultiHash &index)
{
    double bytes = 0;
    for (const auto &map : index.maps) {
        bytes += (double)map.bucket_count() * sizeof(void *);
        for (const auto &kv : map)
            bytes += (double)kv.second.capacity() * sizeof(int64_t) + 48.0; // node + vector header
    }
    return bytes;
}

void run_multihash(const std::vector<uint8_t> &codes, const std::vector<uint8_t> &queries,
                   size_t n, size_t bytes, size_t nq, int radius,
                   const std::vector<std::vector<int64_t>> &truth, int nhash, int b,
                   const std::string &label)
{
    faiss::IndexBinaryMultiHash hash((int)(8 * bytes), nhash, b);
    hash.nflip = radius / nhash; // pigeonhole: some table within radius / nhash bits
    double t0 = now();
    hash.add((faiss::Index::idx_t)n, codes.data());
    double build = now() - t0;
    stats hs;
    run(hash, queries, bytes, nq, 200, radius, truth, hs);
    char name[64], note[300];
    std::snprintf(name, sizeof name, "faiss-multihash-%dx%d", nhash, b);
    std::snprintf(note, sizeof note, "nflip %d; bytes/entry without its %zu-byte code copy; %s",
                  hash.nflip, bytes, label.c_str());
    print_row(name, hs, build, multihash_bytes(hash) / (double)(n ? n : 1), note);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 8) {
        std::fprintf(stderr, "usage: %s CODES N BYTES QUERIES NQ RADIUS TRUTH\n", argv[0]);
        return 2;
    }
    size_t n = std::strtoull(argv[2], nullptr, 10), bytes = std::strtoull(argv[3], nullptr, 10);
    size_t nq = std::strtoull(argv[5], nullptr, 10);
    int radius = std::atoi(argv[6]);
    std::vector<uint8_t> codes, queries;
    std::vector<std::vector<int64_t>> truth;
    if ((bytes != 8 && bytes != 32) || !read_file(argv[1], codes, n * bytes) ||
        !read_file(argv[4], queries, nq * bytes) || !read_truth(argv[7], nq, truth)) {
        std::fprintf(stderr, "%s: cannot read the benchmark files\n", argv[0]);
        return 2;
    }
    omp_set_num_threads(1); // single-query latency on one core, like the other rows
    const int d = (int)(8 * bytes);
    const std::string label = HM_FAISS_LABEL;

    faiss::IndexBinaryFlat flat(d);
    double t0 = now();
    flat.add((faiss::Index::idx_t)n, codes.data());
    double flat_build = now() - t0;
    stats fs;
    run(flat, queries, bytes, nq, 100, radius, truth, fs);
    print_row("faiss-flat", fs, flat_build, 0, label);

    std::vector<std::pair<int, int>> shapes; // tables x bits
    if (bytes == 32) {
        shapes.push_back({16, 16});
        if (n <= 2000000) shapes.push_back({8, 32}); // about 750 bytes per code
    } else {
        shapes.push_back({4, 16});
    }
    for (const auto &shape : shapes) run_multihash(codes, queries, n, bytes, nq, radius, truth,
                                                   shape.first, shape.second, label);
    return 0;
}
