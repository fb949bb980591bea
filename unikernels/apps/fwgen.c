/*
 * fwgen - build-time compiler of the firewall rule file (see fw.h).
 *
 *   fwgen --check FILE          exit 0 if FILE parses, else one line "FILE:LINE: message", exit 2
 *   fwgen --c NAME FILE         C source defining `const struct fw_ruleset NAME`
 *   fwgen --nft GROUP FILE      the nftables script (logging rules -> NFLOG group GROUP)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

static char text[64 * 1024];
static char out[256 * 1024];

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "--check") && argc != 4)) {
        fprintf(stderr, "usage: fwgen --check FILE | --c NAME FILE | --nft GROUP FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fwgen: cannot read %s\n", path);
        return 2;
    }
    size_t n = fread(text, 1, sizeof(text), f);
    int big = !feof(f);
    fclose(f);
    if (big) {
        fprintf(stderr, "fwgen: %s is larger than %zu bytes\n", path, sizeof(text));
        return 2;
    }
    static struct fw_ruleset rs;
    char err[128];
    int line = fw_parse(&rs, text, n, err, sizeof(err));
    if (line) {
        fprintf(stderr, "%s:%d: %s\n", path, line, err);
        return 2;
    }
    size_t len;
    if (!strcmp(argv[1], "--check"))
        return 0;
    if (!strcmp(argv[1], "--c")) {
        len = fw_to_c(&rs, argv[2], out, sizeof(out));
    } else if (!strcmp(argv[1], "--nft")) {
        len = fw_to_nft(&rs, (unsigned)strtoul(argv[2], NULL, 10), out, sizeof(out));
    } else {
        fprintf(stderr, "fwgen: unknown mode %s\n", argv[1]);
        return 2;
    }
    if (!len) {
        fprintf(stderr, "fwgen: output too large\n");
        return 1;
    }
    fwrite(out, 1, len, stdout);
    return 0;
}
