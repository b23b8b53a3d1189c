/*
 * rtg_fuzz_keylogs.h - the NSS key logs (SSLKEYLOGFILE lines) of this
 * project's own browser captures, pcaps/<name>/keylog.txt (the same
 * sessions as stack/dtls/testdata/browser-<name>), as string literals that
 * concatenate: a target that decrypts DTLS loads the sessions its seeds
 * were cut from, e.g.
 *
 *   static const char keylog[] = RTG_FUZZ_KEYLOG_CHROMIUM_FIREFOX_DTLS13
 *       RTG_FUZZ_KEYLOG_FIREFOX_CHROMIUM_DTLS12;
 *
 * Every line ends in a newline.
 */
#ifndef RTG_FUZZ_KEYLOGS_H
#define RTG_FUZZ_KEYLOGS_H

/* Chromium (client) and Firefox, DTLS 1.3: TLS 1.3 traffic secrets. */
#define RTG_FUZZ_KEYLOG_CHROMIUM_FIREFOX_DTLS13                                               \
  "CLIENT_HANDSHAKE_TRAFFIC_SECRET "                                                          \
  "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "                         \
  "d10c64632513481778ac8cf9c870fb5ea8fd47f9cea68105319e35e3842ab2f5\n"                        \
  "SERVER_HANDSHAKE_TRAFFIC_SECRET "                                                          \
  "4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "                         \
  "887c6f325101152f5813d37cb468418acc15e9bdaa1f6a475af8d570c75247eb\n"                        \
  "CLIENT_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e " \
  "6fef42694418e0be3001936fcc508237b06d76fe7b3396a7bd93edb2b41959f9\n"                        \
  "SERVER_TRAFFIC_SECRET_0 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e " \
  "a30a7bb240ca8c52809ced3373dfa636a3b04d5bb59a8a7b15996f2e953e5bc7\n"                        \
  "EXPORTER_SECRET 4b1e0d48e424c15cdea03a5174caa48950bbb4302a0cd8201b12cbab45b9e03e "         \
  "3a49cd840c19d6587f8685f4c5ef5e7ef6d895623895a452cb015802a5ba56b0\n"

/* Firefox (client) and Chromium, DTLS 1.2: the master secret. */
#define RTG_FUZZ_KEYLOG_FIREFOX_CHROMIUM_DTLS12                                                    \
  "CLIENT_RANDOM 01eeb9825de92b9381b57cca9ffc931c7c1bd937c832ae543180f658ad55a341 "                \
  "619cbec93c3578b9e7f688785506b4b968796e04a88c31dc6871d3f193df6318434b3bd60da497abd81e7661af970e" \
  "cc\n"

/* Firefox and Firefox, DTLS 1.3: TLS 1.3 traffic secrets (keylog.txt holds
 * them twice; once is enough). */
#define RTG_FUZZ_KEYLOG_FIREFOX_FIREFOX_DTLS13                                                \
  "CLIENT_HANDSHAKE_TRAFFIC_SECRET "                                                          \
  "7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "                         \
  "c055fcbf5dadee961053c3bf4538042ce563551cad0569883ab259c0b3e6b931\n"                        \
  "SERVER_HANDSHAKE_TRAFFIC_SECRET "                                                          \
  "7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "                         \
  "782e1fab68d4682a81424278b860fbdb7a3d8c1130376bc983721886038bf63e\n"                        \
  "CLIENT_TRAFFIC_SECRET_0 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 " \
  "fa9959324cd92f6ee622434d4e0f557f401273214b6d9fcc87d593053e7bf467\n"                        \
  "SERVER_TRAFFIC_SECRET_0 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 " \
  "f202c7e496d4ead48dd8f52ce044111dfea9e8c8df7f6318aa8d53ece551e502\n"                        \
  "EXPORTER_SECRET 7b195e3858ad5da575502196dadeee9e7c7bb3be4f84b9287eef3e672e06f843 "         \
  "b5225e030ba76f86f9e08e19de6a560df3e9189e3b53cb5929c80468fb417617\n"

#endif /* RTG_FUZZ_KEYLOGS_H */
