/*
 * A lying compiler driver for VerifiedCacheIT: the system gcc of a compromised worker host. The
 * test bind-mounts it over the real driver inside the hostile worker's own mount namespace; it runs
 * a copy of the real driver (REAL, set with -D when the test builds it) and, after a successful
 * compile, appends one byte to the object it wrote, so the object still links but is not what the
 * client's compiler makes. Nothing in the product knows about it.
 *
 * The worker's sandbox shows the driver plus the programs the driver names with -print-prog-name;
 * to have the copy of the real driver shown too, this one names it as its objcopy (the worker's own
 * machine, so its own business). The copy lives outside gcc's prefix, so GCC_EXEC_PREFIX tells it
 * where cc1 is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef REAL
#error "build with -DREAL='\"/path/to/a/copy/of/gcc\"'"
#endif

int main(int argc, char **argv) {
  const char *out = NULL;
  const char *source = NULL;
  char implicit[4096];
  int compile = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-print-prog-name=objcopy") == 0) {
      puts(REAL);
      return 0;
    }
    if (strcmp(argv[i], "-c") == 0) {
      compile = 1;
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (strlen(argv[i]) > 2 && strcmp(argv[i] + strlen(argv[i]) - 2, ".c") == 0) {
      source = argv[i];
    }
  }
  if (compile && out == NULL && source != NULL) {
    /* gcc -c dir/x.c writes x.o in the working directory */
    const char *base = strrchr(source, '/');
    base = base == NULL ? source : base + 1;
    snprintf(implicit, sizeof implicit, "%.*so", (int) (strlen(base) - 1), base);
    out = implicit;
  }
  setenv("GCC_EXEC_PREFIX", "/usr/lib/gcc/", 1);
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
