/*
 * hg-sandbox-exec: the host side of one sandboxed command, in a single exec.
 *
 *   hg-sandbox-exec --status FILE --cpu SECONDS --as BYTES --fsize BYTES
 *                   [--user UID:GID] -- PROGRAM ARG...
 *
 * Opens FILE as descriptor 3 (bubblewrap's --json-status-fd), sets the resource limits
 * (RLIMIT_CPU soft SECONDS and hard SECONDS+5, RLIMIT_AS, RLIMIT_FSIZE, no core dumps), and,
 * with --user, drops to that user for good (no supplementary groups, no capabilities in any set,
 * no new privileges), then execs PROGRAM (bubblewrap). It replaces a shell, prlimit and setpriv:
 * three process images per compile. Every failure exits 127 with a message naming what failed,
 * before PROGRAM runs, so the worker reports a sandbox that could not be set up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
  fprintf(stderr, "hg-sandbox-exec: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(127);
}

static unsigned long long number(const char *flag, const char *s) {
  char *end;
  errno = 0;
  if (s == NULL || *s < '0' || *s > '9') die("expected a number after", flag);
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0') die("expected a number after", flag);
  return v;
}

static void limit(int resource, rlim_t soft, rlim_t hard, const char *name) {
  struct rlimit r = {soft, hard};
  if (setrlimit(resource, &r) != 0) die(name, strerror(errno));
}

int main(int argc, char **argv) {
  const char *status = NULL;
  unsigned long long cpu = 0, as = 0, fsize = 0;
  long uid = -1, gid = -1;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) die("missing value after", a);
    const char *v = argv[++i];
    if (strcmp(a, "--status") == 0) {
      status = v;
    } else if (strcmp(a, "--cpu") == 0) {
      cpu = number(a, v);
    } else if (strcmp(a, "--as") == 0) {
      as = number(a, v);
    } else if (strcmp(a, "--fsize") == 0) {
      fsize = number(a, v);
    } else if (strcmp(a, "--user") == 0) {
      const char *colon = strchr(v, ':');
      if (colon == NULL) die("expected UID:GID after --user, got", v);
      char u[32];
      size_t n = (size_t)(colon - v);
      if (n == 0 || n >= sizeof u) die("expected UID:GID after --user, got", v);
      memcpy(u, v, n);
      u[n] = '\0';
      uid = (long)number(a, u);
      gid = (long)number(a, colon + 1);
      if (uid <= 0 || gid <= 0) die("the sandbox user must not be root, got", v);
    } else {
      die("unknown option", a);
    }
  }
  if (i >= argc) die("no program to run after --", NULL);
  if (status == NULL || cpu == 0 || as == 0 || fsize == 0) {
    die("--status, --cpu, --as and --fsize are required", NULL);
  }

  int fd = open(status, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0) die(status, strerror(errno));
  if (fd != 3) {
    if (dup2(fd, 3) != 3) die("dup2", strerror(errno));
    close(fd);
  }

  limit(RLIMIT_CPU, (rlim_t)cpu, (rlim_t)cpu + 5, "RLIMIT_CPU");
  limit(RLIMIT_AS, (rlim_t)as, (rlim_t)as, "RLIMIT_AS");
  limit(RLIMIT_FSIZE, (rlim_t)fsize, (rlim_t)fsize, "RLIMIT_FSIZE");
  limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");

  if (uid > 0) {
    if (setgroups(0, NULL) != 0) die("setgroups", strerror(errno));
    if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) die("setresgid", strerror(errno));
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) die("setresuid", strerror(errno));
    if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || getgid() != (gid_t)gid) {
      die("the user did not change", NULL);
    }
    /* Leaving root clears the permitted and effective sets; the inheritable and ambient sets
       are cleared here too, so nothing reaches bubblewrap or what it runs. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
      die("clearing ambient capabilities", strerror(errno));
    }
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) != 0) die("capset", strerror(errno));
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", strerror(errno));

  execv(argv[i], &argv[i]);
  die(argv[i], strerror(errno));
  return 127;
}
