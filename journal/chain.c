/* chain.c - the canonical byte encoding of a journal event and its chain hash. */
#include "chain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util.h"

static const char key_check_label[] = "runbook.journal.key-check.v1";

int chain_init(struct chain *c, const unsigned char *key, size_t keylen)
{
	OSSL_PARAM params[2];
	char digest[] = "SHA256";

	memset(c, 0, sizeof(*c));
	/* Unkeyed: SHA-256 is fetched at the first hash (digest()), so that a command that
	 * only reads (list, show) never initialises OpenSSL: ~3 MB of RSS and a millisecond
	 * (docs/performance.md, figure 7). */
	if (keylen == 0)
		return 0;
	c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->mdctx = EVP_MD_CTX_new();
	if (c->md == NULL || c->mdctx == NULL)
		goto fail;
	if (key == NULL || keylen < CHAIN_KEY_MIN || keylen > CHAIN_KEY_MAX)
		goto fail;
	c->key = xmalloc(keylen);
	memcpy(c->key, key, keylen);
	c->keylen = keylen;
	c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (c->mac == NULL)
		goto fail;
	c->macctx = EVP_MAC_CTX_new(c->mac);
	if (c->macctx == NULL)
		goto fail;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c->macctx, c->key, c->keylen, params) != 1)
		goto fail;
	return 0;
fail:
	chain_release(c);
	return -1;
}

void chain_release(struct chain *c)
{
	if (c == NULL)
		return;
	EVP_MAC_CTX_free(c->macctx);
	EVP_MAC_free(c->mac);
	EVP_MD_CTX_free(c->mdctx);
	EVP_MD_free(c->md);
	if (c->key != NULL) {
		explicit_bzero(c->key, c->keylen);
		free(c->key);
	}
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

int chain_keyed(const struct chain *c)
{
	return c->keylen != 0;
}

static unsigned char *put_int(unsigned char *p, long long v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
	return p + 8;
}

static unsigned char *put_text(unsigned char *p, const struct chain_text *t)
{
	uint32_t n = (uint32_t)t->n;

	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	if (t->n != 0)
		memcpy(p + 4, t->p, t->n);
	return p + 4 + t->n;
}

size_t chain_encode(const struct chain_row *r, unsigned char *out, size_t outlen)
{
	const struct chain_text tag = {CHAIN_TAG, sizeof(CHAIN_TAG) - 1};
	const struct chain_text *texts[] = {
	        &tag,     &r->id,   &r->incident, &r->ts,   &r->operator, & r->os_user,
	        &r->host, &r->flow, &r->state,    &r->kind, &r->data};
	size_t need = 3 * 8 + CHAIN_HASH_LEN;
	unsigned char *p = out;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (texts[i]->n > 0xffffffffu || (texts[i]->n != 0 && texts[i]->p == NULL))
			return 0;
		need += 4 + texts[i]->n;
	}
	if (out == NULL || outlen < need)
		return need;
	p = put_text(p, &tag);
	p = put_int(p, r->seq);
	p = put_text(p, &r->id);
	p = put_text(p, &r->incident);
	p = put_text(p, &r->ts);
	p = put_int(p, r->mono_ns);
	p = put_text(p, &r->operator);
	p = put_text(p, &r->os_user);
	p = put_text(p, &r->host);
	p = put_int(p, r->pid);
	p = put_text(p, &r->flow);
	p = put_text(p, &r->state);
	p = put_text(p, &r->kind);
	p = put_text(p, &r->data);
	memcpy(p, r->prev_hash, CHAIN_HASH_LEN);
	return need;
}

/* H(msg) into out: SHA-256, or HMAC-SHA256 under the key. */
static int digest(struct chain *c, const unsigned char *msg, size_t n,
                  unsigned char out[CHAIN_HASH_LEN])
{
	unsigned int mdlen = 0;
	size_t maclen = 0;

	if (c->macctx != NULL) {
		/* A NULL key re-initialises with the key already set. */
		if (EVP_MAC_init(c->macctx, NULL, 0, NULL) != 1 ||
		    EVP_MAC_update(c->macctx, msg, n) != 1 ||
		    EVP_MAC_final(c->macctx, out, &maclen, CHAIN_HASH_LEN) != 1 ||
		    maclen != CHAIN_HASH_LEN)
			return -1;
		return 0;
	}
	if (c->md == NULL && (c->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return -1;
	if (c->mdctx == NULL && (c->mdctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1 ||
	    EVP_DigestUpdate(c->mdctx, msg, n) != 1 ||
	    EVP_DigestFinal_ex(c->mdctx, out, &mdlen) != 1 || mdlen != CHAIN_HASH_LEN)
		return -1;
	return 0;
}

int chain_hash(struct chain *c, const struct chain_row *r, unsigned char out[CHAIN_HASH_LEN])
{
	size_t head = 1 + CHAIN_HASH_LEN;
	size_t n = chain_encode(r, NULL, 0);

	if (n == 0 || r->prev_hash == NULL)
		return -1;
	if (head + n > c->cap) {
		size_t cap = c->cap ? c->cap : 1024;

		while (cap < head + n)
			cap *= 2;
		free(c->buf);
		c->buf = xmalloc(cap);
		c->cap = cap;
	}
	c->buf[0] = CHAIN_DOMAIN_ENTRY;
	memcpy(c->buf + 1, r->prev_hash, CHAIN_HASH_LEN);
	chain_encode(r, c->buf + head, c->cap - head);
	return digest(c, c->buf, head + n, out);
}

int chain_key_check(struct chain *c, unsigned char out[CHAIN_HASH_LEN])
{
	if (c->macctx == NULL)
		return -1;
	return digest(c, (const unsigned char *)key_check_label, sizeof(key_check_label) - 1,
	              out);
}
