/*
 * interop_participants.c - who can take part in a run and how each one is
 * started. Browsers load the page; external implementations are started
 * with `sh -c COMMAND` and find the signaling contract in their
 * environment (RTG_INTEROP_*); exit 127 means "case not supported".
 * Participants that speak the webrtc-echoes contract (POST /offer ->
 * answer) instead of the page's mailbox: `rtcgate peer` (the built-in
 * "rtcgate") and externals declared with "signaling": "echoes"; the
 * runner's server relays for them (interop_http.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/interop.h"

static int find_in_path(const char *prog, char *out, size_t cap) {
  const char *path = getenv("PATH");
  if (strchr(prog, '/')) {
    if (access(prog, X_OK) != 0) return -1;
    snprintf(out, cap, "%s", prog);
    return 0;
  }
  while (path && *path) {
    const char *colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    char cand[PATH_MAX];
    struct stat st;
    snprintf(cand, sizeof cand, "%.*s/%s", (int)len, len ? path : ".", prog);
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
      snprintf(out, cap, "%s", cand);
      return 0;
    }
    path = colon ? colon + 1 : NULL;
  }
  return -1;
}

int rtg_interop_participant_builtin(const char *name, const char *binary_override,
                                    struct rtg_interop_participant *p, char *err, size_t errcap) {
  memset(p, 0, sizeof *p);
  if (strcmp(name, "chromium") == 0) {
    p->kind = RTG_PART_CHROMIUM;
    snprintf(p->binary, sizeof p->binary, "%s", binary_override ? binary_override : "chromium");
  } else if (strcmp(name, "firefox") == 0) {
    p->kind = RTG_PART_FIREFOX;
    snprintf(p->binary, sizeof p->binary, "%s", binary_override ? binary_override : "firefox-esr");
  } else if (strcmp(name, "rtcgate") == 0) {
    /* the reference peer: this very program's `peer` command */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    p->kind = RTG_PART_RTCGATE;
    p->echoes = true;
    p->trickle = true;
    if (binary_override) {
      snprintf(p->binary, sizeof p->binary, "%s", binary_override);
    } else if (n > 0 && (size_t)n < sizeof p->binary) {
      self[n] = '\0';
      snprintf(p->binary, sizeof p->binary, "%.511s", self);
    } else {
      snprintf(err, errcap, "participant rtcgate: cannot find this program (/proc/self/exe)");
      return -1;
    }
    snprintf(p->contract, sizeof p->contract, "https://github.com/sipsorcery/webrtc-echoes");
  } else {
    snprintf(err, errcap,
             "unknown participant '%s' (built in: chromium, firefox, rtcgate; others through "
             "--implementations FILE)",
             name);
    return -1;
  }
  snprintf(p->name, sizeof p->name, "%s", name);
  p->roles[0] = p->roles[1] = true;
  return 0;
}

int rtg_interop_participant_check(const struct rtg_interop_participant *p, char *err,
                                  size_t errcap) {
  char full[PATH_MAX];
  switch (p->kind) {
    case RTG_PART_CHROMIUM:
    case RTG_PART_FIREFOX:
      if (find_in_path(p->binary, full, sizeof full) != 0) {
        snprintf(err, errcap,
                 "participant %s: browser '%s' not found or not executable (install it with "
                 "tools/install-deps, or point --%s at it)",
                 p->name, p->binary, p->kind == RTG_PART_CHROMIUM ? "chromium" : "firefox");
        return -1;
      }
      return 0;
    case RTG_PART_RTCGATE:
      if (access(p->binary, X_OK) != 0) {
        snprintf(err, errcap, "participant rtcgate: '%s' is not executable", p->binary);
        return -1;
      }
      return 0;
    case RTG_PART_EXTERNAL:
      if (find_in_path("sh", full, sizeof full) != 0) {
        snprintf(err, errcap, "participant %s: no 'sh' in PATH to run its command", p->name);
        return -1;
      }
      return 0;
    default: snprintf(err, errcap, "participant %s: unknown kind", p->name); return -1;
  }
}

int rtg_interop_participants_load(const char *path, struct rtg_interop_participant *ps, int *n,
                                  int max, char *err, size_t errcap) {
  json_error_t je;
  json_t *doc = json_load_file(path, 0, &je), *arr, *it;
  size_t i;
  if (doc == NULL) {
    snprintf(err, errcap, "%s: %s (line %d)", path, je.text, je.line);
    return -1;
  }
  arr = json_is_array(doc) ? doc : json_object_get(doc, "implementations");
  if (!json_is_array(arr)) {
    snprintf(err, errcap,
             "%s: expected an array of implementations (or {\"implementations\": [...]})", path);
    json_decref(doc);
    return -1;
  }
  json_array_foreach(arr, i, it) {
    const char *name = json_string_value(json_object_get(it, "name"));
    const char *cmd = json_string_value(json_object_get(it, "command"));
    const char *role = json_string_value(json_object_get(it, "role"));
    const char *url = json_string_value(json_object_get(it, "contract"));
    const char *sig = json_string_value(json_object_get(it, "signaling"));
    const char *aurl = json_string_value(json_object_get(it, "answer_url"));
    struct rtg_interop_participant *p;
    if (name == NULL || cmd == NULL || *name == '\0' || strlen(name) >= sizeof p->name ||
        strlen(cmd) >= sizeof p->binary) {
      snprintf(err, errcap,
               "%s: implementation %zu needs a \"name\" (< 64 chars) and a "
               "\"command\" (< 512 chars)",
               path, i);
      json_decref(doc);
      return -1;
    }
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
        strlen(name)) {
      snprintf(err, errcap, "%s: implementation name '%s': use letters, digits, '-', '_', '.'",
               path, name);
      json_decref(doc);
      return -1;
    }
    if (*n >= max) {
      snprintf(err, errcap, "%s: at most %d participants", path, max);
      json_decref(doc);
      return -1;
    }
    p = &ps[*n];
    memset(p, 0, sizeof *p);
    p->kind = RTG_PART_EXTERNAL;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->binary, sizeof p->binary, "%s", cmd);
    snprintf(p->contract, sizeof p->contract, "%s", url ? url : "");
    if (sig != NULL && strcmp(sig, "echoes") != 0 && strcmp(sig, "mailbox") != 0) {
      snprintf(err, errcap, "%s: implementation '%s': signaling must be echoes or mailbox", path,
               name);
      json_decref(doc);
      return -1;
    }
    p->echoes = sig != NULL && strcmp(sig, "echoes") == 0;
    p->trickle = p->echoes && json_is_true(json_object_get(it, "trickle"));
    if (aurl != NULL && (strncmp(aurl, "http://127.", 11) != 0 || strlen(aurl) >= 256)) {
      snprintf(err, errcap,
               "%s: implementation '%s': answer_url must be http://127.x.y.z:PORT/PATH (the "
               "runner reaches it inside the namespace)",
               path, name);
      json_decref(doc);
      return -1;
    }
    snprintf(p->answer_url, sizeof p->answer_url, "%s", aurl ? aurl : "");
    if (role == NULL || strcmp(role, "both") == 0) {
      p->roles[0] = p->roles[1] = true;
    } else if (strcmp(role, "offer") == 0 || strcmp(role, "offerer") == 0) {
      p->roles[RTG_ROLE_OFFER] = true;
    } else if (strcmp(role, "answer") == 0 || strcmp(role, "answerer") == 0) {
      p->roles[RTG_ROLE_ANSWER] = true;
    } else {
      snprintf(err, errcap, "%s: implementation '%s': role must be offer, answer or both", path,
               name);
      json_decref(doc);
      return -1;
    }
    (*n)++;
  }
  json_decref(doc);
  return 0;
}

static void write_firefox_prefs(const char *profile, bool mdns) {
  char path[PATH_MAX];
  FILE *f;
  snprintf(path, sizeof path, "%.3000s/user.js", profile);
  f = fopen(path, "w");
  if (f == NULL) return;
  fputs(
      "user_pref(\"media.navigator.streams.fake\", true);\n"
      "user_pref(\"media.navigator.permission.disabled\", true);\n"
      "user_pref(\"media.autoplay.default\", 0);\n"
      "user_pref(\"browser.shell.checkDefaultBrowser\", false);\n"
      "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);\n"
      "user_pref(\"app.update.enabled\", false);\n"
      "user_pref(\"media.peerconnection.ice.loopback\", true);\n",
      f);
  /* mdns: browser defaults, host addresses obfuscated as .local names */
  if (!mdns) fputs("user_pref(\"media.peerconnection.ice.obfuscate_host_addresses\", false);\n", f);
  fclose(f);
}

pid_t rtg_interop_browser_start(const struct rtg_interop_participant *p, bool mdns, bool media,
                                const char *url, const char *profile, const char *log,
                                const char *keylog, const char *tmp_dir) {
  char arg_profile[PATH_MAX + 32], tmp[PATH_MAX + 16];
  if (mkdir(profile, 0700) != 0 && errno != EEXIST) return -1;
  snprintf(tmp, sizeof tmp, "TMPDIR=%s", tmp_dir);
  switch (p->kind) {
    case RTG_PART_CHROMIUM: {
      char *argv[24];
      char *env[] = {tmp, NULL}; /* its temporary files go to the slot's TMPDIR */
      int a = 0;
      snprintf(arg_profile, sizeof arg_profile, "--user-data-dir=%s", profile);
      argv[a++] = (char *)p->binary;
      argv[a++] = "--headless";
      argv[a++] = "--no-sandbox";
      argv[a++] = "--disable-gpu";
      argv[a++] = "--disable-quic";
      argv[a++] = "--no-first-run";
      argv[a++] = "--disable-background-networking";
      argv[a++] = "--disable-component-update";
      argv[a++] = "--disable-sync";
      argv[a++] = "--enable-logging=stderr";
      /* one long-lived page shows the runs: never throttle it */
      argv[a++] = "--disable-background-timer-throttling";
      argv[a++] = "--disable-renderer-backgrounding";
      /* mdns: browser defaults (host IPs hidden behind .local names) */
      if (!mdns) argv[a++] = "--disable-features=WebRtcHideLocalIpsWithMdns";
      /* only when asked: a page holding camera/microphone permission (which
       * the fake UI grants) gets its host addresses in the clear */
      if (media) {
        argv[a++] = "--use-fake-device-for-media-stream";
        argv[a++] = "--use-fake-ui-for-media-stream";
      }
      argv[a++] = "--autoplay-policy=no-user-gesture-required";
      argv[a++] = arg_profile;
      argv[a++] = (char *)url;
      argv[a] = NULL;
      return rtg_interop_spawn(argv, env, log);
    }
    case RTG_PART_FIREFOX: {
      char *argv[] = {(char *)p->binary, "--headless", "--no-remote", "--profile",
                      (char *)profile,   (char *)url,  NULL};
      char kl[PATH_MAX + 16], home[PATH_MAX + 16];
      /* Firefox refuses a $HOME owned by another user than the one it runs
       * as, which is what a user namespace's root sees */
      char *env[] = {kl, home, tmp, "MOZ_HEADLESS=1", NULL};
      snprintf(home, sizeof home, "HOME=%s", profile);
      write_firefox_prefs(profile, mdns);
      snprintf(kl, sizeof kl, "SSLKEYLOGFILE=%s", keylog);
      return rtg_interop_spawn(argv, env, log);
    }
    default: return -1;
  }
}

/* `rtcgate peer` for a run: --listen (answerer) or --offer-to (offerer), with
 * --expect from the case, its JSON and key log in the run directory. */
static pid_t start_rtcgate(const struct rtg_interop_launch *l, const char *log) {
  const char *role = l->role == RTG_ROLE_OFFER ? "offer" : "answer";
  char json[PATH_MAX], offer_url[256], listen[160], timeout[16];
  char *argv[32];
  int a = 0;
  snprintf(json, sizeof json, "%.3000s/%s-peer.json", l->run_dir, role);
  snprintf(offer_url, sizeof offer_url, "%s/offer", l->base_url);
  snprintf(timeout, sizeof timeout, "%d", l->c->timeout_s);
  {
    /* --listen takes ADDR:PORT: the host and port of the answer URL */
    char host[128];
    int port = 0;
    if (sscanf(l->answer_url ? l->answer_url : "", "http://%127[^:/]:%d", host, &port) != 2)
      snprintf(host, sizeof host, "127.0.0.1");
    snprintf(listen, sizeof listen, "%s:%d", host, port ? port : RTG_INTEROP_ECHOES_PORT);
  }
  argv[a++] = (char *)l->p->binary;
  argv[a++] = "peer";
  if (l->role == RTG_ROLE_OFFER) {
    argv[a++] = "--offer-to";
    argv[a++] = offer_url;
    argv[a++] = "--timeout";
    argv[a++] = timeout;
  } else {
    argv[a++] = "--listen";
    argv[a++] = listen;
    argv[a++] = "--sessions";
    argv[a++] = "1";
  }
  if (strcmp(l->c->name, "trickle") == 0) {
    /* candidates through the mailbox of this run (peer_trickle.c) */
    argv[a++] = "--trickle";
    argv[a++] = (char *)l->base_url;
  }
  argv[a++] = "--expect";
  argv[a++] = (char *)l->c->expect;
  argv[a++] = "--json";
  argv[a++] = json;
  argv[a++] = "--keylog";
  argv[a++] = (char *)l->keylog;
  if (l->c->flags & RTG_CASE_RELAY) {
    argv[a++] = "--turn";
    argv[a++] = "10.99.0.2:3478";
    argv[a++] = "--turn-user";
    argv[a++] = RTG_INTEROP_TURN_USER;
    argv[a++] = "--turn-password";
    argv[a++] = RTG_INTEROP_TURN_PASS;
    argv[a++] = "--relay-only";
  }
  argv[a] = NULL;
  return rtg_interop_spawn(argv, NULL, log);
}

pid_t rtg_interop_participant_start(const struct rtg_interop_launch *l) {
  const char *role = l->role == RTG_ROLE_OFFER ? "offer" : "answer";
  bool mdns = (l->c->flags & RTG_CASE_MDNS) != 0;
  char log[PATH_MAX], profile[PATH_MAX];
  snprintf(log, sizeof log, "%.3000s/%s-%.60s.log", l->run_dir, role, l->p->name);
  snprintf(profile, sizeof profile, "%.3000s/profile-%s", l->run_dir, role);
  switch (l->p->kind) {
    case RTG_PART_CHROMIUM:
    case RTG_PART_FIREFOX:
      return rtg_interop_browser_start(l->p, mdns, (l->c->flags & RTG_CASE_MEDIA) != 0, l->url,
                                       profile, log, l->keylog, l->tmp_dir);
    case RTG_PART_RTCGATE: return start_rtcgate(l, log);
    case RTG_PART_EXTERNAL: {
      /* A plain "program arg..." runs directly, so that the SIGTERM that
       * ends an echoes answerer reaches it and its exit status is its own
       * verdict; shell syntax goes through sh -c (end it with `exec prog`
       * for the same effect). */
      char words[512], *argv[40];
      bool plain = strpbrk(l->p->binary, "|&;<>()$`\\\"'*?[#~=%{}\n") == NULL;
      if (plain) {
        int a = 0;
        snprintf(words, sizeof words, "%s", l->p->binary);
        for (char *t = strtok(words, " \t"); t && a < 39; t = strtok(NULL, " \t")) argv[a++] = t;
        argv[a] = NULL;
        {
          /* shell builtins and missing programs: let sh say it */
          char full[PATH_MAX];
          plain = a > 0 && find_in_path(argv[0], full, sizeof full) == 0;
        }
      }
      if (!plain) {
        argv[0] = "sh";
        argv[1] = "-c";
        argv[2] = (char *)l->p->binary;
        argv[3] = NULL;
      }
      static const char *const names[] = {
          "RTG_INTEROP_ROLE=",      "RTG_INTEROP_CASE=",   "RTG_INTEROP_SIGNAL_URL=",
          "RTG_INTEROP_RUN_DIR=",   "SSLKEYLOGFILE=",      "RTG_INTEROP_CONTRACT=",
          "RTG_INTEROP_OFFER_URL=", "RTG_INTEROP_LISTEN=", "RTG_INTEROP_EXPECT=",
          "RTG_INTEROP_JSON=",      "RTG_INTEROP_TIMEOUT="};
      enum { NV = sizeof names / sizeof names[0] };
      char vals[NV][PATH_MAX + 64], offer_url[300], listen[160], json[PATH_MAX], timeout[16];
      char *env[NV + 1];
      const char *v[NV];
      {
        char host[128];
        int port = 0;
        if (sscanf(l->answer_url ? l->answer_url : "", "http://%127[^:/]:%d", host, &port) != 2)
          snprintf(host, sizeof host, "127.0.0.1");
        snprintf(listen, sizeof listen, "%s:%d", host, port ? port : RTG_INTEROP_ECHOES_PORT);
      }
      snprintf(offer_url, sizeof offer_url, "%s/offer", l->base_url);
      snprintf(json, sizeof json, "%.3000s/%s-peer.json", l->run_dir, role);
      snprintf(timeout, sizeof timeout, "%d", l->c->timeout_s);
      v[0] = role;
      v[1] = l->c->name;
      v[2] = l->base_url;
      v[3] = l->run_dir;
      v[4] = l->keylog;
      v[5] = l->p->contract;
      v[6] = offer_url;
      v[7] = listen;
      v[8] = l->c->expect ? l->c->expect : "";
      v[9] = json;
      v[10] = timeout;
      for (int i = 0; i < (int)NV; i++) {
        snprintf(vals[i], sizeof vals[i], "%s%s", names[i], v[i]);
        env[i] = vals[i];
      }
      env[NV] = NULL;
      return rtg_interop_spawn(argv, env, log);
    }
    default: return -1;
  }
}

/* Is `PROGRAM peer` the reference peer, not the placeholder? Its --help
 * exits 0 and documents --offer-to. */
bool rtg_interop_peer_available(const char *program) {
  char self[PATH_MAX], out[PATH_MAX], text[8192];
  const char *t = getenv("TMPDIR");
  ssize_t n;
  pid_t pid;
  int st = 0, fd;
  bool ok = false;
  if (program == NULL) {
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return false;
    self[n] = '\0';
    program = self;
  }
  snprintf(out, sizeof out, "%.200s/rtcgate-peer-help-XXXXXX", t && *t ? t : "/tmp");
  fd = mkstemp(out);
  if (fd < 0) return false;
  close(fd);
  {
    char *argv[] = {(char *)program, "peer", "--help", NULL};
    pid = rtg_interop_spawn(argv, NULL, out);
  }
  for (long long end = rtg_interop_now_ms() + 5000; pid > 0 && rtg_interop_now_ms() < end;) {
    if (waitpid(pid, &st, WNOHANG) == pid) {
      FILE *f = fopen(out, "r");
      size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
      if (f) fclose(f);
      text[len] = '\0';
      ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(text, "--offer-to") != NULL;
      pid = -1;
      break;
    }
    usleep(10000);
  }
  if (pid > 0) rtg_interop_kill_group(pid, 100);
  unlink(out);
  return ok;
}
