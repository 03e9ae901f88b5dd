/*
 * Peer for bench/modbus-peers.ts: the smallest sensible libmodbus TCP server (the practical
 * upper bound for a Modbus server on this machine). One thread, select() over every client,
 * 2000 holding registers. Usage: libmodbus-server PORT
 */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 1502;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *map = modbus_mapping_new(0, 0, 2000, 0);
    if (ctx == NULL || map == NULL) return 1;
    for (int i = 0; i < 2000; i++) map->tab_registers[i] = (uint16_t)i;
    int listener = modbus_tcp_listen(ctx, 64);
    if (listener < 0) { perror("listen"); return 1; }
    printf("listening %d\n", port);
    fflush(stdout);

    fd_set all;
    FD_ZERO(&all);
    FD_SET(listener, &all);
    int maxfd = listener;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        fd_set ready = all;
        if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        for (int fd = 0; fd <= maxfd; fd++) {
            if (!FD_ISSET(fd, &ready)) continue;
            if (fd == listener) {
                int client = modbus_tcp_accept(ctx, &listener);
                if (client >= 0) {
                    FD_SET(client, &all);
                    if (client > maxfd) maxfd = client;
                }
                continue;
            }
            modbus_set_socket(ctx, fd);
            int n = modbus_receive(ctx, query);
            if (n > 0) {
                modbus_reply(ctx, query, n, map);
            } else if (n < 0) {
                close(fd);
                FD_CLR(fd, &all);
            }
        }
    }
}
