/*
 * hg-sandbox-exec: the host side of sandboxed commands.
 *
 *   hg-sandbox-exec --status FILE --cpu SECONDS --as BYTES --fsize BYTES
 *                   [--user UID:GID] -- PROGRAM ARG...
 *   hg-sandbox-exec --serve
 *
 * The first form runs one command: it opens FILE as descriptor 3 (bubblewrap's --json-status-fd),
 * sets the resource limits (RLIMIT_CPU soft SECONDS and hard SECONDS+5, RLIMIT_AS, RLIMIT_FSIZE,
 * no core dumps), and, with --user, drops to that user for good (no supplementary groups, no
 * capabilities in any set, no new privileges), then execs PROGRAM (bubblewrap). Every failure
 * exits 127 with a message naming what failed, before PROGRAM runs, so the worker reports a
 * sandbox that could not be set up.
 *
 * --serve is the worker's resident launcher: it reads requests from standard input and answers on
 * standard output, and for each "run" forks a child that does what the first form does (with the
 * command's standard input from /dev/null, its output and errors redirected to files, and no other
 * descriptor open but the status file) and execs the command. A fork of this
 * small process costs a fraction of a JVM's process start (which execs the JDK's jspawnhelper,
 * then this program, for every command). Frames, both ways: a 4-byte big-endian length, then that
 * many bytes of NUL-terminated strings:
 *
 *   run ID STDOUT STDERR STATUS CPU AS FSIZE USER ARGC ARG... ENVC ENV...   (USER "" or UID:GID)
 *   kill ID                                  SIGKILL to the command if it has not been reaped
 *   started ID PID | failed ID MESSAGE       answers to run
 *   exit ID CODE                             CODE: exit status, or 128 + signal
 *
 * It answers only its parent, over the pipes the parent made. When standard input closes (the
 * worker is gone) it kills every command still running and exits.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
  fprintf(stderr, "hg-sandbox-exec: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  fflush(stderr);
  _exit(127);
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

/* Everything between the fork (or this program's start) and the exec of the command: the status
   file as descriptor 3, the limits, and the sandbox user. Exits 127 on any failure. */
static void prepare(const char *status, unsigned long long cpu, unsigned long long as,
                    unsigned long long fsize, long uid, long gid) {
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

}

/* "UID:GID" (neither 0) into uid and gid. */
static void user_of(const char *v, long *uid, long *gid) {
  const char *colon = strchr(v, ':');
  if (colon == NULL) die("expected UID:GID after --user, got", v);
  char u[32];
  size_t n = (size_t)(colon - v);
  if (n == 0 || n >= sizeof u) die("expected UID:GID after --user, got", v);
  memcpy(u, v, n);
  u[n] = '\0';
  *uid = (long)number("--user", u);
  *gid = (long)number("--user", colon + 1);
  if (*uid <= 0 || *gid <= 0) die("the sandbox user must not be root, got", v);
}

/* --serve: the resident launcher (see the top of this file). */
#define MAX_FRAME (64u << 20)
#define MAX_CHILDREN 4096

struct child {
  pid_t pid;
  char id[32];
};
static struct child children[MAX_CHILDREN];
static int nchildren;

static void write_all(const char *b, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("writing to the worker", strerror(errno));
    b += w;
    n -= (size_t)w;
  }
}

/* One answer frame of up to three strings (c may be NULL). */
static void answer(const char *a, const char *b, const char *c) {
  const char *parts[3] = {a, b, c};
  char buf[4096 + 4];
  size_t n = 4;
  for (int i = 0; i < 3 && parts[i] != NULL; i++) {
    size_t len = strnlen(parts[i], 2048);
    memcpy(buf + n, parts[i], len);
    n += len;
    buf[n++] = '\0';
  }
  uint32_t len = (uint32_t)(n - 4);
  buf[0] = (char)(len >> 24);
  buf[1] = (char)(len >> 16);
  buf[2] = (char)(len >> 8);
  buf[3] = (char)len;
  write_all(buf, n);
}

/* Reads exactly n bytes: 1 done, 0 end of input before the first byte, -1 end or error after. */
static int read_all(char *b, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, b + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
    got += (size_t)r;
  }
  return 1;
}

static void redirect(const char *path, int flags, int to) {
  int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 || dup2(fd, to) != to) die(path, strerror(errno));
  if (fd != to) close(fd);
}

/* Closes every descriptor from 3 up. The launcher holds none but its CLOEXEC signalfd, so this is
   a second wall. close_range needs Linux 5.9; older kernels get /proc/self/fd. */
static void close_from_3(void) {
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) die("listing /proc/self/fd", strerror(errno));
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (fd >= 3 && fd != dirfd(d)) close(fd);
  }
  closedir(d);
}

/* In the child: f[0] "run", then the fields the header describes. Never returns. */
static void run_child(char **f, int count, pid_t launcher) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL); /* an ignored signal would stay ignored across exec */
  redirect("/dev/null", O_RDONLY, 0);
  redirect(f[3], O_WRONLY | O_CREAT | O_TRUNC, 2); /* first: later failures are reported there */
  redirect(f[2], O_WRONLY | O_CREAT | O_TRUNC, 1);
  close_from_3();
  long uid = -1, gid = -1;
  if (f[8][0] != '\0') user_of(f[8], &uid, &gid);
  prepare(f[4], number("cpu", f[5]), number("as", f[6]), number("fsize", f[7]), uid, gid);
  /* Dies with the launcher, which dies with the worker (set after the user changed: that clears
     it). The launcher is single-threaded, so the parent is the process, not a thread. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("PR_SET_PDEATHSIG", strerror(errno));
  if (getppid() != launcher) die("the launcher is gone", NULL);
  int argc = (int)number("argc", f[9]);
  if (argc < 1 || 10 + argc >= count) die("malformed run request", "argc");
  int envc = (int)number("envc", f[10 + argc]);
  if (11 + argc + envc != count) die("malformed run request", "envc");
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  if (argv == NULL || envp == NULL) die("calloc", strerror(errno));
  memcpy(argv, f + 10, (size_t)argc * sizeof *argv);
  memcpy(envp, f + 11 + argc, (size_t)envc * sizeof *envp);
  execve(argv[0], argv, envp);
  die(argv[0], strerror(errno));
}

static void start(char **f, int count) {
  if (count < 11) {
    answer("failed", count > 1 ? f[1] : "?", "malformed run request");
    return;
  }
  if (nchildren == MAX_CHILDREN || strlen(f[1]) >= sizeof children[0].id) {
    answer("failed", f[1], "too many commands at once");
    return;
  }
  pid_t launcher = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    answer("failed", f[1], strerror(errno));
    return;
  }
  if (pid == 0) run_child(f, count, launcher);
  children[nchildren].pid = pid;
  strcpy(children[nchildren].id, f[1]);
  nchildren++;
  char p[24];
  snprintf(p, sizeof p, "%d", (int)pid);
  answer("started", f[1], p);
}

static void reap(void) {
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    for (int i = 0; i < nchildren; i++) {
      if (children[i].pid != pid) continue;
      char code[16];
      snprintf(code, sizeof code, "%d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      answer("exit", children[i].id, code);
      children[i] = children[--nchildren];
      break;
    }
  }
}

static int serve(void) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) != 0) die("sigprocmask", strerror(errno));
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd", strerror(errno));
  signal(SIGPIPE, SIG_IGN); /* a closed pipe is an error from write, handled there */
  char *frame = NULL;
  for (;;) {
    struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll", strerror(errno));
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
      }
      reap();
    }
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    unsigned char h[4];
    int r = read_all((char *)h, 4);
    uint32_t len = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
    if (r == 1 && (len == 0 || len > MAX_FRAME)) die("a request of an impossible length", NULL);
    if (r == 1) {
      free(frame);
      frame = malloc(len);
      if (frame == NULL) die("malloc", strerror(errno));
      r = read_all(frame, len);
    }
    if (r != 1) { /* the worker closed its end: nothing it started may outlive it */
      for (int i = 0; i < nchildren; i++) kill(children[i].pid, SIGKILL);
      while (wait(NULL) > 0 || errno == EINTR) {
      }
      return 0;
    }
    if (frame[len - 1] != '\0') die("a request that does not end its last string", NULL);
    int count = 0;
    for (uint32_t i = 0; i < len; i++) count += frame[i] == '\0';
    char **f = calloc((size_t)count, sizeof *f);
    if (f == NULL) die("calloc", strerror(errno));
    char *s = frame;
    for (int i = 0; i < count; i++) {
      f[i] = s;
      s += strlen(s) + 1;
    }
    if (strcmp(f[0], "run") == 0) {
      start(f, count);
    } else if (strcmp(f[0], "kill") == 0 && count == 2) {
      for (int i = 0; i < nchildren; i++) {
        if (strcmp(children[i].id, f[1]) == 0) kill(children[i].pid, SIGKILL);
      }
    } else {
      die("an unknown request", f[0]);
    }
    free(f);
  }
}

int main(int argc, char **argv) {
  const char *status = NULL;
  unsigned long long cpu = 0, as = 0, fsize = 0;
  long uid = -1, gid = -1;
  if (argc == 2 && strcmp(argv[1], "--serve") == 0) return serve();
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
      user_of(v, &uid, &gid);
    } else {
      die("unknown option", a);
    }
  }
  if (i >= argc) die("no program to run after --", NULL);
  if (status == NULL || cpu == 0 || as == 0 || fsize == 0) {
    die("--status, --cpu, --as and --fsize are required", NULL);
  }

  prepare(status, cpu, as, fsize, uid, gid);
  execv(argv[i], &argv[i]);
  die(argv[i], strerror(errno));
  return 127;
}
