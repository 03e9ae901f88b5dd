/*
 * The one client every server in bench/modbus-peers.ts is measured with: THREADS libmodbus
 * connections, each reading 10 holding registers in a closed loop for SECONDS. Prints JSON:
 * requests per second and the p50/p99 round trip in milliseconds.
 * Usage: modbus-load PORT THREADS SECONDS
 */
#include <modbus.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_SAMPLES 4000000

static int port;
static double seconds;
static double *samples;
static long sample_count;
static long errors;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *worker(void *arg) {
    (void)arg;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_set_slave(ctx, 1);
    if (modbus_connect(ctx) < 0) { perror("connect"); exit(2); }
    uint16_t regs[10];
    double *mine = malloc(sizeof(double) * MAX_SAMPLES / 4);
    long count = 0, failed = 0;
    double end = now() + seconds;
    int address = 0;
    for (;;) {
        double t0 = now();
        if (t0 >= end) break;
        if (modbus_read_registers(ctx, address, 10, regs) != 10) failed++;
        else if (count < MAX_SAMPLES / 4) mine[count++] = (now() - t0) * 1000.0;
        address = (address + 10) % 1990;
    }
    pthread_mutex_lock(&lock);
    for (long i = 0; i < count && sample_count < MAX_SAMPLES; i++) samples[sample_count++] = mine[i];
    errors += failed;
    pthread_mutex_unlock(&lock);
    modbus_close(ctx);
    modbus_free(ctx);
    free(mine);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: modbus-load PORT THREADS SECONDS\n"); return 1; }
    port = atoi(argv[1]);
    int threads = atoi(argv[2]);
    seconds = atof(argv[3]);
    samples = malloc(sizeof(double) * MAX_SAMPLES);
    pthread_t ids[64];
    double t0 = now();
    for (int i = 0; i < threads && i < 64; i++) pthread_create(&ids[i], NULL, worker, NULL);
    for (int i = 0; i < threads && i < 64; i++) pthread_join(ids[i], NULL);
    double elapsed = now() - t0;
    qsort(samples, sample_count, sizeof(double), compare);
    double p50 = sample_count ? samples[sample_count / 2] : 0;
    double p99 = sample_count ? samples[(long)(sample_count * 0.99)] : 0;
    printf("{\"requests\":%ld,\"errors\":%ld,\"rps\":%.1f,\"p50\":%.4f,\"p99\":%.4f}\n", sample_count, errors, sample_count / elapsed, p50, p99);
    return 0;
}
