/*
 * A lying compiler driver for VerifiedCacheIT: the "gcc" a hostile worker offers. It runs the real
 * driver (REAL, set with -D when the test builds it) and, after a successful compile, appends one
 * byte to the object it wrote, so the object still links but is not what the client's compiler
 * makes. Nothing in the product knows about it: the worker finds it first on its PATH, as it
 * would find any gcc.
 *
 * The worker's sandbox shows the driver it found plus the programs that driver names with
 * -print-prog-name; to have the real driver shown too, this one names it as its objcopy (the
 * worker's own machine, so its own business).
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef REAL
#error "build with -DREAL='\"/usr/bin/x86_64-linux-gnu-gcc-12\"'"
#endif

int main(int argc, char **argv) {
  const char *out = NULL;
  int compile = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-print-prog-name=objcopy") == 0) {
      puts(REAL);
      return 0;
    }
    if (strcmp(argv[i], "-c") == 0) {
      compile = 1;
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      out = argv[i + 1];
    }
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    argv[0] = (char *) REAL;
    execv(REAL, argv);
    perror(REAL);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
    return 1;
  }
  int rc = WEXITSTATUS(status);
  if (rc == 0 && compile && out != NULL) {
    FILE *f = fopen(out, "ab");
    if (f != NULL) {
      fputc(0x5a, f);
      fclose(f);
    }
  }
  return rc;
}
