/*
 * interop_participants.c - who can take part in a run and how each one is
 * started. Browsers load the page; external implementations are started
 * with `sh -c COMMAND` and find the signaling contract in their
 * environment (RTG_INTEROP_*); exit 127 means "case not supported".
 * The reference peer becomes one more kind here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
  } else {
    snprintf(err, errcap,
             "unknown participant '%s' (built in: chromium, firefox; others through "
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

pid_t rtg_interop_participant_start(const struct rtg_interop_launch *l) {
  const char *role = l->role == RTG_ROLE_OFFER ? "offer" : "answer";
  bool mdns = (l->c->flags & RTG_CASE_MDNS) != 0;
  char log[PATH_MAX], profile[PATH_MAX], arg_profile[PATH_MAX + 32];
  snprintf(log, sizeof log, "%.3000s/%s-%.60s.log", l->run_dir, role, l->p->name);
  snprintf(profile, sizeof profile, "%.3000s/profile-%s", l->run_dir, role);
  switch (l->p->kind) {
    case RTG_PART_CHROMIUM: {
      char *argv[24], tmp[PATH_MAX + 16];
      char *env[] = {tmp, NULL}; /* its temporary files go to the run's TMPDIR */
      int a = 0;
      if (mkdir(profile, 0700) != 0 && errno != EEXIST) return -1;
      snprintf(arg_profile, sizeof arg_profile, "--user-data-dir=%s", profile);
      argv[a++] = (char *)l->p->binary;
      argv[a++] = "--headless";
      argv[a++] = "--no-sandbox";
      argv[a++] = "--disable-gpu";
      argv[a++] = "--disable-quic";
      argv[a++] = "--no-first-run";
      argv[a++] = "--disable-background-networking";
      argv[a++] = "--disable-component-update";
      argv[a++] = "--disable-sync";
      argv[a++] = "--enable-logging=stderr";
      /* mdns: browser defaults (host IPs hidden behind .local names) */
      if (!mdns) argv[a++] = "--disable-features=WebRtcHideLocalIpsWithMdns";
      if (l->c->flags & RTG_CASE_MEDIA) {
        argv[a++] = "--use-fake-device-for-media-stream";
        argv[a++] = "--use-fake-ui-for-media-stream";
      }
      argv[a++] = "--autoplay-policy=no-user-gesture-required";
      argv[a++] = arg_profile;
      argv[a++] = (char *)l->url;
      argv[a] = NULL;
      snprintf(tmp, sizeof tmp, "TMPDIR=%s", l->tmp_dir);
      return rtg_interop_spawn(argv, env, log);
    }
    case RTG_PART_FIREFOX: {
      char *argv[] = {(char *)l->p->binary, "--headless", "--no-remote", "--profile", profile,
                      (char *)l->url,       NULL};
      char kl[PATH_MAX + 16], home[PATH_MAX + 16];
      /* Firefox refuses a $HOME owned by another user than the one it runs
       * as, which is what a user namespace's root sees */
      char tmp[PATH_MAX + 16];
      char *env[] = {kl, home, tmp, "MOZ_HEADLESS=1", NULL};
      if (mkdir(profile, 0700) != 0 && errno != EEXIST) return -1;
      snprintf(home, sizeof home, "HOME=%s", profile);
      snprintf(tmp, sizeof tmp, "TMPDIR=%s", l->tmp_dir);
      write_firefox_prefs(profile, mdns);
      snprintf(kl, sizeof kl, "SSLKEYLOGFILE=%s", l->keylog);
      return rtg_interop_spawn(argv, env, log);
    }
    case RTG_PART_EXTERNAL: {
      char *argv[] = {"sh", "-c", (char *)l->p->binary, NULL};
      static const char *const names[] = {
          "RTG_INTEROP_ROLE=",    "RTG_INTEROP_CASE=", "RTG_INTEROP_SIGNAL_URL=",
          "RTG_INTEROP_RUN_DIR=", "SSLKEYLOGFILE=",    "RTG_INTEROP_CONTRACT="};
      char vals[6][PATH_MAX + 64];
      char *env[7];
      const char *v[6] = {role, l->c->name, l->base_url, l->run_dir, l->keylog, l->p->contract};
      for (int i = 0; i < 6; i++) {
        snprintf(vals[i], sizeof vals[i], "%s%s", names[i], v[i]);
        env[i] = vals[i];
      }
      env[6] = NULL;
      return rtg_interop_spawn(argv, env, log);
    }
    default: return -1;
  }
}
