/*
 * interop_net.c - the runner's network namespace and process handling.
 *
 * Each run enters a fresh network namespace (as root: CLONE_NEWNET; as an
 * ordinary user: CLONE_NEWUSER|CLONE_NEWNET mapping the user to root, the
 * `unshare -rn` semantics) and brings up a veth pair with addresses and a
 * default route, because browsers gather no candidates on loopback alone
 * (DESIGN.md). Nothing is routed out of the namespace. Every process is
 * started in its own process group so that the whole tree (browser
 * renderers, content processes) can be killed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/interop.h"

extern char **environ;

long long rtg_interop_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_str(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  ssize_t n;
  if (fd < 0) return -1;
  n = write(fd, s, strlen(s));
  close(fd);
  return n == (ssize_t)strlen(s) ? 0 : -1;
}

int rtg_interop_ns_enter(char *err, size_t errcap) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  char map[64];
  if (geteuid() == 0) {
    if (unshare(CLONE_NEWNET) == 0) return 0;
    snprintf(err, errcap, "cannot create a network namespace: unshare(CLONE_NEWNET): %s",
             strerror(errno));
    return -1;
  }
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
    snprintf(err, errcap,
             "cannot create an unprivileged user+network namespace (%s); this system forbids "
             "them (see kernel.unprivileged_userns_clone / user.max_user_namespaces): run as "
             "root",
             strerror(errno));
    return -1;
  }
  /* Map ourselves to root inside, as `unshare -r` does. */
  if (write_str("/proc/self/setgroups", "deny") != 0 && errno != ENOENT) {
    snprintf(err, errcap, "cannot write /proc/self/setgroups: %s", strerror(errno));
    return -1;
  }
  snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
  if (write_str("/proc/self/uid_map", map) != 0) {
    snprintf(err, errcap, "cannot write uid_map: %s", strerror(errno));
    return -1;
  }
  snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
  if (write_str("/proc/self/gid_map", map) != 0) {
    snprintf(err, errcap, "cannot write gid_map: %s", strerror(errno));
    return -1;
  }
  return 0;
}

/* Runs `ip ARGS...` and waits (bounded: ip does not block). */
static int run_ip(char *err, size_t errcap, const char *a0, const char *a1, const char *a2,
                  const char *a3, const char *a4, const char *a5, const char *a6, const char *a7) {
  char *argv[] = {"ip",       (char *)a0, (char *)a1, (char *)a2, (char *)a3,
                  (char *)a4, (char *)a5, (char *)a6, (char *)a7, NULL};
  pid_t pid = fork();
  int st = 0;
  if (pid < 0) {
    snprintf(err, errcap, "fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execvp("ip", argv);
    _exit(127);
  }
  if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    snprintf(err, errcap, "'ip %s %s %s %s ...' failed (exit %d)%s", a0, a1, a2, a3 ? a3 : "",
             WIFEXITED(st) ? WEXITSTATUS(st) : -1,
             WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ": iproute2 is not installed" : "");
    return -1;
  }
  return 0;
}

int rtg_interop_ns_setup(bool ipv6, char *err, size_t errcap) {
  if (run_ip(err, errcap, "link", "set", "lo", "up", NULL, NULL, NULL, NULL) ||
      run_ip(err, errcap, "link", "add", "v0", "type", "veth", "peer", "name", "v1") ||
      run_ip(err, errcap, "addr", "add", "10.99.0.1/24", "dev", "v0", NULL, NULL, NULL) ||
      run_ip(err, errcap, "addr", "add", "10.99.0.2/24", "dev", "v1", NULL, NULL, NULL))
    return -1;
  if (ipv6 &&
      (run_ip(err, errcap, "addr", "add", "fd00:99::1/64", "dev", "v0", "nodad", NULL, NULL) ||
       run_ip(err, errcap, "addr", "add", "fd00:99::2/64", "dev", "v1", "nodad", NULL, NULL)))
    return -1;
  if (run_ip(err, errcap, "link", "set", "v0", "up", NULL, NULL, NULL, NULL) ||
      run_ip(err, errcap, "link", "set", "v1", "up", NULL, NULL, NULL, NULL) ||
      run_ip(err, errcap, "route", "add", "default", "via", "10.99.0.2", "dev", "v0", NULL))
    return -1;
  if (ipv6 &&
      /* IPv6 refuses a local address as gateway: a device route instead */
      run_ip(err, errcap, "-6", "route", "add", "default", "dev", "v0", NULL, NULL))
    return -1;
  return 0;
}

pid_t rtg_interop_spawn(char *const argv[], char *const env[], const char *log) {
  pid_t pid = fork();
  if (pid != 0) {
    if (pid > 0) setpgid(pid, pid); /* both sides, so no race with kill */
    return pid;
  }
  setpgid(0, 0);
  /* If the runner dies, the group leader gets SIGTERM; the browsers end
   * their own helper processes when the leader goes. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  {
    int in = open("/dev/null", O_RDONLY);
    int out = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : open("/dev/null", O_WRONLY);
    if (in >= 0) dup2(in, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
  }
  for (int i = 0; env && env[i]; i++) putenv(env[i]);
  execvp(argv[0], argv);
  fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

void rtg_interop_kill_group(pid_t pgid, int grace_ms) {
  long long end;
  if (pgid <= 0) return;
  if (kill(-pgid, SIGTERM) != 0 && errno == ESRCH) {
    rtg_interop_reap();
    return;
  }
  end = rtg_interop_now_ms() + grace_ms;
  while (rtg_interop_now_ms() < end) {
    /* the group is gone when no member is left to signal */
    rtg_interop_reap();
    if (kill(-pgid, 0) != 0 && errno == ESRCH) return;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(-pgid, SIGKILL);
  end = rtg_interop_now_ms() + 2000;
  while (rtg_interop_now_ms() < end) {
    rtg_interop_reap();
    if (kill(-pgid, 0) != 0 && errno == ESRCH) return;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

void rtg_interop_reap(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int rtg_interop_ns_ipv6(bool on, char *err, size_t errcap) {
  const char *verb = on ? "add" : "del";
  if (run_ip(err, errcap, "addr", verb, "fd00:99::1/64", "dev", "v0", on ? "nodad" : NULL, NULL,
             NULL) ||
      run_ip(err, errcap, "addr", verb, "fd00:99::2/64", "dev", "v1", on ? "nodad" : NULL, NULL,
             NULL))
    return -1;
  /* IPv6 refuses a local address as gateway: a device route instead; it
   * outlives the addresses, so it goes explicitly */
  if (run_ip(err, errcap, "-6", "route", on ? "replace" : "del", "default", "dev", "v0", NULL,
             NULL))
    return -1;
  return 0;
}

int rtg_interop_mkdirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

void rtg_interop_remove_tree(const char *path) {
  char *argv[] = {"rm", "-rf", (char *)path, NULL};
  pid_t pid = rtg_interop_spawn(argv, NULL, NULL);
  if (pid > 0) waitpid(pid, NULL, 0);
}

pid_t rtg_interop_turn_start(const char *dir) {
  char pid[1100], db[1100], log[1100];
  char *argv[] = {"turnserver",
                  "-n",
                  "--listening-port",
                  "3478",
                  "--listening-ip",
                  "10.99.0.2",
                  "--relay-ip",
                  "10.99.0.2",
                  "--lt-cred-mech",
                  "--user",
                  RTG_INTEROP_TURN_USER ":" RTG_INTEROP_TURN_PASS,
                  "--realm",
                  "rtcgate",
                  "--no-tls",
                  "--no-dtls",
                  "--no-tcp-relay",
                  "--no-cli",
                  "--fingerprint",
                  "--allowed-peer-ip",
                  "10.99.0.0-10.99.0.255",
                  "--pidfile",
                  pid,
                  "--userdb",
                  db,
                  "--log-file",
                  "stdout",
                  "--simple-log",
                  NULL};
  snprintf(pid, sizeof pid, "%.1000s/turnserver.pid", dir);
  snprintf(db, sizeof db, "%.1000s/turnserver.db", dir);
  snprintf(log, sizeof log, "%.1000s/turnserver.log", dir);
  return rtg_interop_spawn(argv, NULL, log);
}

bool rtg_interop_turn_ready(const char *log) {
  char text[16384];
  FILE *f = fopen(log, "r");
  size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f) fclose(f);
  text[n] = '\0';
  return strstr(text, "Total General servers") != NULL || strstr(text, "relay 10.99.0.2") != NULL;
}
