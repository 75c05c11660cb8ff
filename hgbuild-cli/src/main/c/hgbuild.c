/*
 * hgbuild: the native launcher (libc only). The per-compile path never starts a JVM:
 *
 *   hgbuild [-C host:port] [--no-fallback] [--no-mdns] [-v] <compiler> args...
 *       sends argv, cwd and the environment to the resident `hgbuild daemon` over a Unix socket,
 *       streams back stdout, stderr and the exit code; starts the daemon when none runs; when it
 *       cannot be reached, execs the real compiler (hgbuild never breaks a build).
 *   hgbuild make|ninja|wrap <cmd...>   runs cmd with CC/CXX and the CMake launcher variables set.
 *   hgbuild <subcommand>|--help|--version|(no args)   execs hgbuild-jvm (picocli) next to itself.
 *
 * The wire format and the start-up protocol are described in docs/design.md, "Launcher and
 * daemon"; the Java side is io.hybridgrid.cli.daemon. Keep both in step.
 *
 * One file of about 600 lines on purpose: the build is a single `cc` call (no make, no
 * headers to keep in step), and the parts share a handful of static paths.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_VERSION 1
#define KIND_COMPILE 1
#define START_WAIT_MS 5000   /* how long a launcher waits for a daemon that is starting */
#define RESPAWN_AFTER_S 10   /* a start younger than this is not repeated */
#define MAX_CHUNK (16u << 20)

extern char **environ;

/* The subcommands of the JVM CLI (picocli, io.hybridgrid.cli.Main): the one list kept here. */
static const char *const JVM_SUBCOMMANDS[] = {"status", "workers", "stats", "cache", "daemon", "top",
                                              "config", "generate-completion", NULL};
/* Never the real compiler: the same rule as CompilerLocator.isWrapper on the Java side. */
static const char *const WRAPPERS[] = {"hgbuild", "ccache", "sccache", "distcc", "icecc", NULL};

static char self_path[PATH_MAX]; /* this executable, symlinks resolved */
static char self_dir[PATH_MAX];

static void say(const char *level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "hgbuild: %s: ", level);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int in_list(const char *const *list, const char *s) {
  for (; *list; list++) {
    if (strcmp(*list, s) == 0) return 1;
  }
  return 0;
}

static int truthy(const char *v) { /* as ClientSettings reads HG_* switches */
  return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0;
}

static int is_wrapper(const char *path) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return 1;
  const char *base = strrchr(real, '/');
  return strcmp(real, self_path) == 0 || in_list(WRAPPERS, base ? base + 1 : real);
}

/* Finds name as a shell would (PATH), optionally skipping hgbuild and other wrappers. */
static int find_program(const char *name, int skip_wrappers, char *out) {
  struct stat st;
  if (strchr(name, '/')) {
    if (snprintf(out, PATH_MAX, "%s", name) >= PATH_MAX) return 0;
    return !(skip_wrappers && is_wrapper(out));
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    const char *end = strchrnul(path, ':');
    int len = (int)(end - path);
    if (snprintf(out, PATH_MAX, "%.*s/%s", len ? len : 1, len ? path : ".", name) < PATH_MAX &&
        access(out, X_OK) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
        !(skip_wrappers && is_wrapper(out))) {
      return 1;
    }
    path = *end ? end + 1 : end;
  }
  return 0;
}

/* Whether name (as PATH finds it) is this launcher, e.g. "hgbuild" in "hgbuild hgbuild gcc". */
static int is_self(const char *name) {
  char found[PATH_MAX], real[PATH_MAX];
  return find_program(name, 0, found) && realpath(found, real) && strcmp(real, self_path) == 0;
}

/* Whether a bare name reads as a compiler driver: the rule of CompilerLocator.looksLikeCompiler
   (after an optional -N.N version suffix it ends in cc, c++, g++, clang or clang++). */
static int looks_like_compiler(const char *name) {
  const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
  size_t n = strlen(base);
  const char *dash = strrchr(base, '-');
  if (dash && dash[1] >= '0' && dash[1] <= '9' && strspn(dash + 1, "0123456789.") == strlen(dash + 1))
    n = (size_t)(dash - base);
  static const char *const ENDS[] = {"cc", "c++", "g++", "clang", "clang++", NULL};
  for (const char *const *e = ENDS; *e; e++) {
    size_t k = strlen(*e);
    if (n >= k && strncmp(base + n - k, *e, k) == 0) return 1;
  }
  return 0;
}

/* Runs the real compiler in place of this process. */
static void exec_compiler(char **argv) {
  char path[PATH_MAX];
  const char *name = argv[0];
  if (strchr(name, '/') && access(name, X_OK) == 0 && is_wrapper(name)) {
    name = strrchr(name, '/') + 1; /* a masquerade link to hgbuild or ccache: find the real one */
  }
  if (!find_program(name, 1, path)) {
    say("error", "compiler '%s' not found on PATH", argv[0]);
    exit(127);
  }
  execv(path, argv);
  say("error", "cannot run %s: %s", path, strerror(errno));
  exit(127);
}

static void exec_jvm(char **args) { /* args[0] is replaced */
  char jvm[PATH_MAX];
  snprintf(jvm, sizeof jvm, "%.4000s/hgbuild-jvm", self_dir);
  args[0] = jvm;
  execv(jvm, args);
  say("error", "cannot run %s: %s", jvm, strerror(errno));
  exit(127);
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- socket path and its directory ---------------------------------------------------------- */

/* HG_DAEMON_SOCKET, else $XDG_RUNTIME_DIR/hybridgrid/daemon.sock, else /tmp/hybridgrid-<uid>/. */
static int socket_path(char *out, char *why, size_t why_len) {
  const char *env = getenv("HG_DAEMON_SOCKET");
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  char cwd[PATH_MAX];
  int n;
  if (env && *env) {
    n = env[0] == '/' || !getcwd(cwd, sizeof cwd) ? snprintf(out, PATH_MAX, "%s", env)
                                                  : snprintf(out, PATH_MAX, "%s/%s", cwd, env);
  } else if (xdg && xdg[0] == '/') {
    n = snprintf(out, PATH_MAX, "%s/hybridgrid/daemon.sock", xdg);
  } else {
    n = snprintf(out, PATH_MAX, "/tmp/hybridgrid-%u/daemon.sock", (unsigned)geteuid());
  }
  if (n < 0 || (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    snprintf(why, why_len, "socket path %.200s is longer than the %zu bytes a Unix socket allows",
             out, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
    return 0;
  }
  return 1;
}

/* A file next to the socket: daemon.sock -> daemon<suffix>. */
static void sibling(const char *sock, const char *suffix, char *out) {
  size_t n = strlen(sock);
  if (n > 5 && strcmp(sock + n - 5, ".sock") == 0) n -= 5;
  snprintf(out, PATH_MAX, "%.*s%s", (int)n, sock, suffix);
}

/* The socket's directory must be ours and private (mode 0700); created when missing. */
static int check_directory(const char *sock, char *why, size_t why_len) {
  char dir[PATH_MAX];
  struct stat st;
  snprintf(dir, sizeof dir, "%s", sock);
  char *slash = strrchr(dir, '/');
  if (slash == dir) slash[1] = '\0'; else *slash = '\0';
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    snprintf(why, why_len, "cannot create %.200s: %s", dir, strerror(errno));
    return 0;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(why, why_len, "%.200s is not a directory", dir);
    return 0;
  }
  if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    snprintf(why, why_len, "%.200s must be owned by uid %u with mode 0700 (it is uid %u, mode %03o)",
             dir, (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
    return 0;
  }
  return 1;
}

static int try_connect(const char *sock) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, sock); /* length checked by socket_path */
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) return fd;
  int e = errno;
  close(fd);
  errno = e;
  return -1;
}

/* ---- starting the daemon -------------------------------------------------------------------- */

/*
 * Detaches `hgbuild-jvm daemon --socket S` into its own session, stdio to daemon.log. A small
 * supervisor stays its parent: when the JVM dies (even by kill -9) it kills the session's process
 * group, so no compiler the daemon started keeps writing an object that a launcher is now
 * rebuilding locally. The supervisor's pid goes into the lock file for waiting launchers.
 */
static void spawn_daemon(const char *sock, int lockfd) {
  char log[PATH_MAX], jvm[PATH_MAX];
  sibling(sock, ".log", log);
  snprintf(jvm, sizeof jvm, "%.4000s/hgbuild-jvm", self_dir);
  pid_t first = fork();
  if (first < 0) return;
  if (first > 0) {
    while (waitpid(first, NULL, 0) < 0 && errno == EINTR) {
    }
    return;
  }
  setsid();
  pid_t supervisor = fork();
  if (supervisor != 0) {
    char text[32];
    int n = snprintf(text, sizeof text, "%d\n", (int)supervisor);
    if (supervisor > 0 && ftruncate(lockfd, 0) == 0 && pwrite(lockfd, text, n, 0) == n) _exit(0);
    _exit(1);
  }
  int in = open("/dev/null", O_RDONLY);
  int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(1);
  for (int fd = 3; fd < 1024; fd++) close(fd); /* make's jobserver and test pipes stay theirs */
  if (chdir("/") != 0) _exit(1);
  pid_t jvm_pid = fork();
  if (jvm_pid == 0) {
    char *args[] = {jvm, "daemon", "--socket", (char *)sock, NULL};
    execv(jvm, args);
    fprintf(stderr, "hgbuild: cannot run %s: %s\n", jvm, strerror(errno));
    _exit(127);
  }
  prctl(PR_SET_NAME, "hgbuild-sv");
  int status = 1;
  while (jvm_pid > 0 && waitpid(jvm_pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (jvm_pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    /* A clean exit (idle, --stop): the next launcher may start a daemon at once. */
    char lock[PATH_MAX];
    sibling(sock, ".lock", lock);
    int fd = open(lock, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX) == 0) {
      char text[32] = {0};
      if (pread(fd, text, sizeof text - 1, 0) > 0 && atoi(text) == (int)getpid() &&
          ftruncate(fd, 0) != 0) {
        /* not cleared: launchers wait RESPAWN_AFTER_S before starting another daemon */
      }
    }
  }
  kill(0, SIGKILL); /* our process group: the daemon's leftover children, and us */
  _exit(0);
}

/* Connects to the daemon, starting it when none runs; -1 when it cannot be reached in time. */
static int connect_or_start(const char *sock, int wait, char *why, size_t why_len) {
  int fd = try_connect(sock);
  if (fd >= 0 || (errno != ENOENT && errno != ECONNREFUSED)) {
    if (fd < 0) snprintf(why, why_len, "cannot connect to %s: %s", sock, strerror(errno));
    return fd;
  }
  char lock[PATH_MAX];
  sibling(sock, ".lock", lock);
  int lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lockfd < 0) {
    snprintf(why, why_len, "cannot open %.200s: %s", lock, strerror(errno));
    return -1;
  }
  long deadline = now_ms() + START_WAIT_MS, pause = 2;
  int spawned = 0; /* once per launcher, whatever the daemon does */
  for (;;) {
    /* Under the lock: exactly one launcher starts the daemon; the others see its start. */
    if (flock(lockfd, LOCK_EX | LOCK_NB) == 0) {
      struct stat st;
      char text[32] = {0};
      fd = try_connect(sock);
      if (fd < 0 && fstat(lockfd, &st) == 0) {
        int recent = time(NULL) - st.st_mtime < RESPAWN_AFTER_S;
        int pid = pread(lockfd, text, sizeof text - 1, 0) > 0 ? atoi(text) : 0;
        int alive = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
        if ((pid <= 0 || !recent) && !spawned) {
          spawn_daemon(sock, lockfd);
          spawned = 1;
        } else if (pid > 0 && recent && !alive) {
          char log[PATH_MAX];
          sibling(sock, ".log", log);
          snprintf(why, why_len, "the daemon started %ld s ago has exited (see %.900s)",
                   (long)(time(NULL) - st.st_mtime), log);
          deadline = 0;
        }
      }
      flock(lockfd, LOCK_UN);
      if (fd >= 0) break;
    }
    if (!wait || now_ms() >= deadline) {
      if (!why[0]) snprintf(why, why_len, "the daemon did not answer on %s in time", sock);
      break;
    }
    sleep_ms(pause);
    pause = pause < 50 ? pause * 2 : 50;
    if ((fd = try_connect(sock)) >= 0) break;
  }
  close(lockfd);
  return fd;
}

/* ---- framing: type (1 byte), payload length (4 bytes, big-endian), payload ------------------ */

struct buf {
  char *p;
  size_t len, cap;
};

static void put_frame(struct buf *b, char type, const void *data, size_t n) {
  if (b->len + n + 5 > b->cap) {
    b->cap = (b->len + n + 5) * 2;
    if (!(b->p = realloc(b->p, b->cap))) {
      say("error", "out of memory");
      exit(1);
    }
  }
  unsigned char *h = (unsigned char *)b->p + b->len;
  h[0] = (unsigned char)type;
  h[1] = (unsigned char)(n >> 24), h[2] = (unsigned char)(n >> 16);
  h[3] = (unsigned char)(n >> 8), h[4] = (unsigned char)n;
  memcpy(h + 5, data, n);
  b->len += n + 5;
}

static void put_string(struct buf *b, char type, const char *s) { put_frame(b, type, s, strlen(s)); }

static int read_full(int fd, void *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    p = (char *)p + r, n -= (size_t)r;
  }
  return 1;
}

static int write_full(int fd, const void *p, size_t n, int flags) {
  while (n > 0) {
    ssize_t r = fd > 2 ? send(fd, p, n, flags) : write(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    p = (const char *)p + r, n -= (size_t)r;
  }
  return 1;
}

/*
 * Sends the request and copies the answer to stdout/stderr. Returns the compiler's exit code, or
 * -1 (with why set) when the daemon did not deliver one: the caller then compiles locally.
 */
static int converse(int fd, char **argv, const char *coordinator, int flags, char *why,
                    size_t why_len) {
  struct buf b = {0};
  char cwd[PATH_MAX];
  unsigned char hello[5] = {0, 0, 0, PROTOCOL_VERSION, KIND_COMPILE};
  unsigned char f = (unsigned char)flags;
  if (!getcwd(cwd, sizeof cwd)) {
    snprintf(why, why_len, "cannot read the working directory: %s", strerror(errno));
    return -1;
  }
  put_frame(&b, 'H', hello, sizeof hello);
  if (coordinator) put_string(&b, 'C', coordinator);
  put_frame(&b, 'F', &f, 1);
  put_string(&b, 'W', cwd);
  for (char **a = argv; *a; a++) put_string(&b, 'A', *a);
  for (char **e = environ; *e; e++) {
    if (strchr(*e, '=')) put_string(&b, 'E', *e);
  }
  put_string(&b, 'E', "HG_DAEMON_CHILD=1"); /* the compiler the daemon runs must not call us back */
  put_frame(&b, 'Z', "", 0);
  int sent = write_full(fd, b.p, b.len, MSG_NOSIGNAL);
  free(b.p);
  if (!sent) {
    snprintf(why, why_len, "lost the daemon while sending the request: %s", strerror(errno));
    return -1;
  }
  static char chunk[65536];
  unsigned char h[5];
  while (read_full(fd, h, 5)) {
    uint32_t n = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
    if (n > MAX_CHUNK) break;
    if (h[0] == '1' || h[0] == '2') {
      while (n > 0) {
        uint32_t part = n < sizeof chunk ? n : sizeof chunk;
        if (!read_full(fd, chunk, part)) goto dropped;
        write_full(h[0] == '1' ? 1 : 2, chunk, part, 0);
        n -= part;
      }
    } else if (h[0] == 'X' && n == 4 && read_full(fd, chunk, 4)) {
      unsigned char *c = (unsigned char *)chunk;
      return (int)((uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3]) & 0xff;
    } else if (h[0] == 'R' && n < sizeof chunk && read_full(fd, chunk, n)) {
      snprintf(why, why_len, "the daemon refused the request: %.*s", (int)n, chunk);
      return -1;
    } else {
      snprintf(why, why_len, "protocol error: unexpected frame type 0x%02x from the daemon", h[0]);
      return -1;
    }
  }
dropped:
  snprintf(why, why_len, "lost the daemon before the compile finished");
  return -1;
}

/* ---- make | ninja | wrap -------------------------------------------------------------------- */

static void set_compiler(const char *var, const char *hg_var, const char *fallback) {
  const char *cc = getenv(hg_var);
  if (!cc || !*cc) cc = getenv(var);
  if (!cc || !*cc) cc = fallback;
  char first[PATH_MAX];
  snprintf(first, sizeof first, "%.*s", (int)strcspn(cc, " \t"), cc);
  if (is_self(first)) return; /* already "hgbuild <cc>": keep it */
  size_t n = strlen(self_path) + strlen(cc) + 2;
  char *value = malloc(n);
  if (!value) exit(1);
  snprintf(value, n, "%s %s", self_path, cc);
  setenv(var, value, 1);
}

/* ---- build progress: the daemon counts this build's compiles in a file beside its socket ----- */

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

/* The daemon's counts for this build: done remote cached local fallback failed (0 on failure). */
static int read_progress(const char *path, long c[6]) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int n = fscanf(f, "%ld %ld %ld %ld %ld %ld", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5]);
  fclose(f);
  return n == 6;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs cmd as a child with HG_BUILD_ID set, and while it runs shows one progress line on stderr
 * when stderr is a terminal (redrawn in place, 4 times a second, cleared before the build's own
 * output can interleave with it only at the moment of a redraw); at the end prints one summary
 * line if any compile went through hgbuild. Returns the child's exit status.
 */
static int run_with_progress(char **cmd) {
  char id[64], sock[PATH_MAX], path[PATH_MAX + 80], why[256];
  snprintf(id, sizeof id, "b%lx-%d", (unsigned long)time(NULL), (int)getpid());
  setenv("HG_BUILD_ID", id, 1);
  path[0] = '\0';
  if (socket_path(sock, why, sizeof why)) {
    char *slash = strrchr(sock, '/');
    if (slash) snprintf(path, sizeof path, "%.*s/build-%s.progress", (int)(slash - sock), sock, id);
  }
  double start = now_s();
  pid_t pid = fork();
  if (pid < 0) {
    execvp(cmd[0], cmd); /* no child: run the build without progress */
    say("error", "cannot run %s: %s", cmd[0], strerror(errno));
    return 127;
  }
  if (pid == 0) {
    execvp(cmd[0], cmd);
    say("error", "cannot run %s: %s", cmd[0], strerror(errno));
    _exit(127);
  }
  child_pid = pid;
  signal(SIGINT, SIG_IGN); /* the terminal sends it to the build too; we wait for its end */
  signal(SIGQUIT, SIG_IGN);
  signal(SIGTERM, forward_signal);
  signal(SIGHUP, forward_signal);
  int tty = isatty(2) && !truthy(getenv("HG_NO_PROGRESS")), shown = 0, status = 0;
  long c[6] = {0}, last_done = -1;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (tty && path[0] && read_progress(path, c) && c[0] != last_done) {
      last_done = c[0];
      double t = now_s() - start;
      fprintf(stderr, "\r\033[Khgbuild: %ld compiled (%ld remote, %ld cached, %ld local%s) %.1f/s",
              c[0], c[1], c[2], c[3] + c[4], c[4] ? ", some fallbacks" : "",
              t > 0 ? c[0] / t : 0.0);
      fflush(stderr);
      shown = 1;
    }
    struct timespec ts = {0, 250 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (shown) fputs("\r\033[K", stderr);
  if (path[0] && read_progress(path, c) && c[0] > 0) {
    double t = now_s() - start;
    fprintf(stderr,
            "hgbuild: %ld compiles in %.1f s: %ld remote, %ld cached, %ld local, %ld fallbacks%s\n",
            c[0], t, c[1], c[2], c[3], c[4], c[5] ? " (some failed)" : "");
  }
  if (path[0]) unlink(path);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* A CMake build directory (dir/CMakeCache.txt) configured without hgbuild as its compiler or
   launcher compiles everything locally whatever CC says: say so, and how to fix it. */
static void check_cmake_cache(const char *dir) {
  char path[PATH_MAX], line[PATH_MAX + 128];
  snprintf(path, sizeof path, "%.4000s/CMakeCache.txt", dir);
  FILE *f = fopen(path, "r");
  if (!f) return;
  int uses_hgbuild = 0, has_compiler = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "CMAKE_C_COMPILER", 16) == 0 || strncmp(line, "CMAKE_CXX_COMPILER", 18) == 0) {
      has_compiler = 1;
      if (strstr(line, "hgbuild")) uses_hgbuild = 1;
    }
  }
  fclose(f);
  if (has_compiler && !uses_hgbuild) {
    say("warning",
        "%s was configured without hgbuild, so this build compiles everything locally; "
        "reconfigure it once with: cmake -DCMAKE_C_COMPILER_LAUNCHER=%s "
        "-DCMAKE_CXX_COMPILER_LAUNCHER=%s %s",
        path, self_path, self_path, dir);
  }
}

/* The directory a make or ninja command line builds in: its -C DIR, else the current one. */
static const char *build_dir(char **argv, int argc) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) return argv[i + 1];
    if (strncmp(argv[i], "-C", 2) == 0 && argv[i][2]) return argv[i] + 2;
    if (strncmp(argv[i], "--directory=", 12) == 0) return argv[i] + 12;
  }
  return ".";
}

/* Runs cmd (argc words) for a build that should compile through hgbuild; never returns. */
static void wrap(char **argv, int argc, int is_make) {
  set_compiler("CC", "HG_CC", "gcc");
  set_compiler("CXX", "HG_CXX", "g++");
  setenv("CMAKE_C_COMPILER_LAUNCHER", self_path, 1);
  setenv("CMAKE_CXX_COMPILER_LAUNCHER", self_path, 1);
  char sock[PATH_MAX], why[512] = "";
  if (socket_path(sock, why, sizeof why) && check_directory(sock, why, sizeof why)) {
    int fd = connect_or_start(sock, 0, why, sizeof why); /* warm up; compiles wait for it */
    if (fd >= 0) close(fd);
  }
  char **cmd = calloc((size_t)argc + 4, sizeof *cmd);
  if (!cmd) exit(1);
  int n = 0;
  if (is_make) {
    /* Command-line variables beat the Makefile's own CC=; a later CC=... in argv beats ours. */
    static char cc[PATH_MAX * 2], cxx[PATH_MAX * 2];
    snprintf(cc, sizeof cc, "CC=%s", getenv("CC"));
    snprintf(cxx, sizeof cxx, "CXX=%s", getenv("CXX"));
    cmd[n++] = "make", cmd[n++] = cc, cmd[n++] = cxx;
  }
  for (int i = 0; i < argc; i++) cmd[n++] = argv[i];
  if (n == 0) {
    say("error", "hgbuild wrap needs a command, e.g. hgbuild wrap cmake --build build");
    exit(2);
  }
  if (getenv("HG_BUILD_ID") && *getenv("HG_BUILD_ID")) { /* an inner make of a wrapped build */
    execvp(cmd[0], cmd);
    say("error", "cannot run %s: %s", cmd[0], strerror(errno));
    exit(127);
  }
  exit(run_with_progress(cmd));
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n <= 0) {
    say("error", "cannot find myself through /proc/self/exe: %s", strerror(errno));
    return 127;
  }
  self_path[n] = '\0';
  snprintf(self_dir, sizeof self_dir, "%.*s", (int)(strrchr(self_path, '/') - self_path), self_path);

  const char *coordinator = NULL;
  int flags = 0, i = 1; /* flags: 1 = --no-fallback, 2 = --verbose */
  for (;;) {
    while (i < argc && argv[i][0] == '-') {
      if (strcmp(argv[i], "--no-fallback") == 0) flags |= 1;
      else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) flags |= 2;
      else if (strcmp(argv[i], "--no-mdns") == 0) setenv("HG_NO_MDNS", "1", 1); /* env is sent */
      else if ((strcmp(argv[i], "-C") == 0 || strcmp(argv[i], "--coordinator") == 0) && i + 1 < argc)
        coordinator = argv[++i];
      else if (strncmp(argv[i], "--coordinator=", 14) == 0) coordinator = argv[i] + 14;
      else if (strncmp(argv[i], "-C", 2) == 0 && argv[i][2]) coordinator = argv[i] + 2;
      else exec_jvm(argv); /* --help, --version, or an error picocli explains */
      i++;
    }
    if (i >= argc || in_list(JVM_SUBCOMMANDS, argv[i])) exec_jvm(argv);
    /* "hgbuild hgbuild gcc" (CC="hgbuild gcc" plus CMAKE_C_COMPILER_LAUNCHER=hgbuild): skip us.
       A link to us under a compiler's name (masquerade) stays: it names the compiler. */
    const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
    const char *own = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if ((strcmp(base, "hgbuild") == 0 || strcmp(base, own) == 0) && is_self(argv[i])) {
      i++;
      continue;
    }
    break;
  }
  if (strcmp(argv[i], "make") == 0 || strcmp(argv[i], "ninja") == 0 ||
      strcmp(argv[i], "wrap") == 0) {
    if (coordinator) setenv("HG_COORDINATOR", coordinator, 1);
    if (flags & 1) setenv("HG_NO_FALLBACK", "1", 1);
    if (flags & 2) setenv("HG_VERBOSE", "1", 1);
    int is_make = strcmp(argv[i], "make") == 0, skip = strcmp(argv[i], "ninja") != 0;
    if (strcmp(argv[i], "wrap") != 0) check_cmake_cache(build_dir(argv + i + 1, argc - i - 1));
    wrap(argv + i + skip, argc - i - skip, is_make); /* ninja runs as itself, make with vars */
  }
  char **compile = argv + i;
  if (!strchr(compile[0], '/')) {
    char found[PATH_MAX];
    /* A typo of a subcommand, or a program that is no compiler: the JVM CLI explains. */
    if (!looks_like_compiler(compile[0]) || !find_program(compile[0], 1, found)) exec_jvm(argv);
  }
  if (getenv("HG_DAEMON_CHILD")) exec_compiler(compile); /* run by the daemon: be the compiler */
  for (int a = 1; compile[a]; a++) {
    if (strcmp(compile[a], "-") == 0 && strcmp(compile[a - 1], "-o") != 0) {
      exec_compiler(compile); /* reads stdin, which is not forwarded */
    }
  }
  char sock[PATH_MAX], why[1024] = "";
  int fd = -1;
  if (socket_path(sock, why, sizeof why) && check_directory(sock, why, sizeof why)) {
    fd = connect_or_start(sock, 1, why, sizeof why);
  }
  if (fd >= 0) {
    int code = converse(fd, compile, coordinator, flags, why, sizeof why);
    if (code >= 0) return code;
    close(fd);
  }
  say("warning", "%s; compiling locally%s", why,
      flags & 1 || truthy(getenv("HG_NO_FALLBACK"))
          ? " (--no-fallback concerns the grid; the daemon's absence never fails a build)"
          : "");
  exec_compiler(compile);
  return 127;
}
