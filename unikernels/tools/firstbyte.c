/*
 * firstbyte - time from spawning a command to the first byte on its stdout, and to its exit.
 *
 *   firstbyte command args...
 *
 * Forks and execs the command with stdout on a pipe, and prints "FIRST_MS EXIT_MS CPU_FIRST_MS
 * CPU_MS" on its own stdout: the first two since just before the fork (CLOCK_MONOTONIC;
 * FIRST_MS is -1 when the command printed nothing), then the CPU time the command had used when
 * its first byte came (the sum over its threads of /proc/PID/task/TID/schedstat's run time, -1
 * if unreadable) and in all (user + system, from wait4). CPU time is what a loaded host does not
 * stretch the way it stretches wall time: on an idle host wall time approaches it. For QEMU's own start: `firstbyte qemu-system-x86_64 ... -serial stdio
 * -kernel build/tools/nullguest.elf` (scripts/boot-numbers.sh). Host tool, not for the kernel.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run time of every thread of pid so far (ns, schedstat), -1 when /proc cannot tell. */
static double cpu_ms_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    double ns = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char f[320];
        snprintf(f, sizeof f, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        FILE *fp = fopen(f, "r");
        unsigned long long run;
        if (fp && fscanf(fp, "%llu", &run) == 1)
            ns += (double)run;
        if (fp)
            fclose(fp);
    }
    closedir(d);
    return ns / 1e6;
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
    double first = -1, cpu_first = -1;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (first < 0) {
            first = now_ms() - t0;
            cpu_first = cpu_ms_of(pid);
        }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double end = now_ms() - t0;
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
        fprintf(stderr, "firstbyte: %s did not run to its end\n", argv[1]);
        return 1;
    }
    printf("%.3f %.3f %.3f %.3f\n", first, end, cpu_first, cpu);
    return 0;
}
