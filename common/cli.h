/*
 * cli.h: pieces of the command line both daemons share.
 */
#ifndef LNOB_CLI_H
#define LNOB_CLI_H

/* `<prog> keygen --id NODE --out PATH`: writes PATH (0600) and PATH.pub and
 * prints the public file. Returns the process exit status. */
int cli_keygen(const char *prog, int argc, char **argv);

#endif
