/*
 * chain.h - the canonical byte encoding of a journal event and its chain hash.
 * Internal to journal/. The encoding is specified in docs/journal-format.md.
 */
#ifndef RUNBOOK_CHAIN_H
#define RUNBOOK_CHAIN_H

#include <stddef.h>

#include <openssl/evp.h>

#define CHAIN_HASH_LEN 32
/* The domain/version tag that opens every canonical encoding. */
#define CHAIN_TAG "runbook.journal.event.v1"
/* Domain separator byte for chain entries: hash = H(0x00 || prev_hash || canonical). */
#define CHAIN_DOMAIN_ENTRY 0x00
/* Key files: at least this many bytes, at most CHAIN_KEY_MAX. */
#define CHAIN_KEY_MIN 16
#define CHAIN_KEY_MAX 65536

/* A text column: bytes and their count (no NUL needed, none counted). */
struct chain_text {
	const char *p;
	size_t n;
};

/* Every column of an event but `hash`, in column order. */
struct chain_row {
	long long seq;
	struct chain_text id;
	struct chain_text incident;
	struct chain_text ts;
	long long mono_ns;
	struct chain_text operator;
	struct chain_text os_user;
	struct chain_text host;
	long long pid;
	struct chain_text flow;
	struct chain_text state;
	struct chain_text kind;
	struct chain_text data;
	const unsigned char *prev_hash; /* CHAIN_HASH_LEN bytes */
};

/* Hashing state: the digest (or keyed MAC) and a reusable encoding buffer. */
struct chain {
	EVP_MD *md;          /* SHA-256, fetched once */
	EVP_MD_CTX *mdctx;   /* reused for every hash */
	EVP_MAC *mac;        /* HMAC, when keyed */
	EVP_MAC_CTX *macctx; /* holds the key; re-initialised for every hash */
	unsigned char *key;
	size_t keylen;
	unsigned char *buf;
	size_t cap;
};

/*
 * Set up c: plain SHA-256 when keylen is 0, else HMAC-SHA256 with a copy of key
 * (keylen must be CHAIN_KEY_MIN..CHAIN_KEY_MAX). Returns 0, or -1 (OpenSSL failure or a
 * bad key length; c is then released).
 */
int chain_init(struct chain *c, const unsigned char *key, size_t keylen);

/* Free everything c holds; the key copy is wiped first. */
void chain_release(struct chain *c);

/* Non-zero when c is keyed (HMAC-SHA256). */
int chain_keyed(const struct chain *c);

/*
 * Write canonical(r) into out when outlen is large enough. Returns the encoding's
 * length in bytes (also when it did not fit), or 0 when a text is longer than
 * 0xffffffff bytes.
 */
size_t chain_encode(const struct chain_row *r, unsigned char *out, size_t outlen);

/*
 * hash = H(0x00 || prev_hash || canonical(r)), H being SHA-256 or HMAC-SHA256(key).
 * Returns 0, or -1 on an encoding or OpenSSL failure.
 */
int chain_hash(struct chain *c, const struct chain_row *r, unsigned char out[CHAIN_HASH_LEN]);

/*
 * MAC of a fixed label under the key, stored in meta as `key_check` so a journal opened
 * with the wrong key is refused before anything is appended. -1 when c is not keyed.
 */
int chain_key_check(struct chain *c, unsigned char out[CHAIN_HASH_LEN]);

#endif
