/*
 * firstbyte - time from spawning a command to the first byte on its stdout, and to its exit.
 *
 *   firstbyte command args...
 *
 * Forks and execs the command with stdout on a pipe, and prints "FIRST_MS EXIT_MS" (since
 * just before the fork, CLOCK_MONOTONIC) on its own stdout; FIRST_MS is -1 when the command
 * printed nothing. For QEMU's own start: `firstbyte qemu-system-x86_64 ... -serial stdio
 * -kernel build/tools/nullguest.elf` (scripts/boot-numbers.sh). Host tool, not for the kernel.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: firstbyte command [args...]\n");
        return 2;
    }
    int p[2];
    if (pipe(p)) {
        perror("firstbyte: pipe");
        return 1;
    }
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("firstbyte: fork");
        return 1;
    }
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execvp(argv[1], argv + 1);
        perror("firstbyte: exec");
        _exit(127);
    }
    close(p[1]);
    char buf[512];
    double first = -1;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (first < 0)
            first = now_ms() - t0;
    int status;
    waitpid(pid, &status, 0);
    double end = now_ms() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
        fprintf(stderr, "firstbyte: %s did not run to its end\n", argv[1]);
        return 1;
    }
    printf("%.3f %.3f\n", first, end);
    return 0;
}
