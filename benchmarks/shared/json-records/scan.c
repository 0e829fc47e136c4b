// The byte scanning of json-records.ts: one JSON document, checked against JSON's grammar, and per record of
// its array the fields asked for, as slots json-records.ts turns into values; or JSON Lines, the same per line.
// The file comes in pieces: it is parsed in units (a top-level member, one record with the comma before it, or
// one line with its line break); a unit the bytes in hand end inside is parsed again from its start once more
// bytes are in. Nothing is kept between units but the phase, the line number and the intern table, so there is
// no parser state to save midway. A NUL byte after the bytes in hand ends every unit that reaches it (JSON
// allows a raw NUL nowhere), so the loops need no bounds checks: a unit that fails there needs more bytes, one
// that fails before has bad bytes. A line's object is parsed as a document's record is, whitespace and all, and
// then gives up if a line break was in it: the record parser stays the one both modes share.
// Built by build.sh into scan.wasm (committed); no libc; memory is a bump allocation from init on, for one scan.
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

extern u8 __heap_base;

// scan()'s answers: more bytes needed, the records out of room (call again), the document done, give up.
enum { NEED = 0, MORE = 1, DONE = 2, FAIL = 3 };
// Field kinds, as json-records.ts numbers them.
enum { K_NUMBER = 0, K_STRING = 1, K_TEXT = 2, K_LIST = 3, K_SCALAR = 4 };
// What a slot holds. The low two bits of STR (a string where it lies in the file) and TXT (one in this
// call's texts) are the string's flags.
enum { ABSENT = 0, NUM = 1, NUMTEXT = 2, ID = 3, LIST = 4, STR = 8, TXT = 16 };
// A string holds escapes / bytes above ASCII: JS decodes it with JSON.parse / as UTF-8.
enum { ESCAPED = 1, HIGH = 2 };

#define MAX_DEPTH 512          // containers around a value inside a skipped one; deeper, the scan gives up
#define MAX_RECORDS 1024       // records per scan() call
#define INTERN_LEN 64          // longer strings rarely repeat
#define INTERN_IDS (1u << 20)  // past this many distinct strings, new ones are not interned

// One field of one record: tag; then a string id, an address and length, a list's first item and count, or
// the number itself.
typedef struct {
  int32_t tag, a;
  union {
    int32_t b;
    double num;
  };
} Slot;

typedef struct {
  u32 kind, len, sublen;
  const u8 *name, *sub;
} Field;

// What json-records.ts reads after each call, as 32-bit words in this order.
static struct {
  const u8 *cur;   // where the next unit starts
  u32 nrec;        // this call's records
  Slot *recs;      // nf slots each
  int32_t *items;  // their lists' items: a string id, or -1 - flags, address, length
  u32 nnews;       // strings interned in this call, in id order
  u32 *news;       // address, length each
  u32 *lines;      // JSON Lines: each record's line number
  u8 *texts;       // the strings not interned, escapes decoded, one after the other
  u32 ntext;       // their bytes
} out;

static u8 *top;
static Field *fields;
static u32 nf;
static const u8 *key;
static u32 keylen;
static u32 nitems, capitems, capnews, captext;
static const u8 *end;    // the NUL after the bytes in hand
static const u8 *errat;  // where a unit failed
static int giveup;       // failed for a reason no more bytes can change
static int ateof;        // the bytes in hand end the file
static enum { START, MEMBER, ARRAY_FIRST, ARRAY_NEXT, AFTER_ARRAY, END, LINE } phase;
static int seen;  // the array was met
static u32 line;  // JSON Lines: the number of the line the next unit starts

// The string just scanned: its content, and ESCAPED | HIGH.
static const u8 *s0, *s1;
static u32 sflags;

// Interned strings: an open-addressing table of (hash << 32 | length << 24 | id + 1), 0 free; each id's
// bytes in the pool, zero-padded to whole 8-byte words.
static u64 *table;
static u32 tmask, nids;
static u32 *ioff;
static u8 *pool;
static u32 pooln, poolcap;

// n bytes, 16-aligned; traps when the memory cannot grow (json-records.ts gives up then).
static void *alloc(u32 n) {
  u64 p = ((uintptr_t)top + 15) & ~15u;
  u64 have = (u64)__builtin_wasm_memory_size(0) << 16;
  if (p + n > 0xffffffffu || (p + n > have && __builtin_wasm_memory_grow(0, (p + n - have + 65535) >> 16) == (uintptr_t)-1)) __builtin_trap();
  top = (u8 *)(uintptr_t)(p + n);
  return (void *)(uintptr_t)p;
}

static void *regrow(void *old, u32 used, u32 bytes) {
  void *p = alloc(bytes);
  __builtin_memcpy(p, old, used);
  return p;
}

static const u8 *bad(const u8 *p) {
  errat = p;
  return 0;
}
static const u8 *refuse(void) {
  giveup = 1;
  return 0;
}
#define TRY(x)                \
  do {                        \
    if (!(p = (x))) return 0; \
  } while (0)

static inline int digit(u8 c) { return (u8)(c - '0') < 10; }
static inline int hex(u8 c) { return digit(c) || (u8)((c | 0x20) - 'a') < 6; }
static inline const u8 *ws(const u8 *p) {
  if (*p > ' ') return p;
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

// The string opening at p: its span in s0/s1; the address after its closing quote. Sixteen bytes at a time:
// stop at a quote, backslash or control byte; note bytes above ASCII on the way.
static inline __attribute__((always_inline)) const u8 *str(const u8 *p) {
  const u8 *q = p + 1;
  u32 flags = 0;
  for (;;) {
    v128_t v = wasm_v128_load(q);
    v128_t special = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, wasm_i8x16_splat('"')), wasm_i8x16_eq(v, wasm_i8x16_splat('\\'))),
                                  wasm_u8x16_lt(v, wasm_i8x16_splat(0x20)));
    u32 stop = wasm_i8x16_bitmask(special);
    u32 high = wasm_i8x16_bitmask(v);
    if (!stop) {
      if (high) flags |= HIGH;
      q += 16;
      continue;
    }
    u32 i = __builtin_ctz(stop);
    if (high & ((1u << i) - 1)) flags |= HIGH;
    q += i;
    if (*q == '"') break;
    if (*q != '\\') return bad(q);
    flags |= ESCAPED;
    u8 c = q[1];
    if (c == 'u') {
      for (int k = 2; k < 6; k++)
        if (!hex(q[k])) return bad(q + k);
      q += 6;
    } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't')
      q += 2;
    else
      return bad(q + 1);
  }
  s0 = p + 1;
  s1 = q;
  sflags = flags;
  return q + 1;
}

static u32 hex4(const u8 *p) {
  u32 v = 0;
  for (int k = 0; k < 4; k++) v = v * 16 + (digit(p[k]) ? p[k] - '0' : (p[k] | 0x20) - 'a' + 10);
  return v;
}

static u32 utf8(u32 cp, u8 *o) {
  if (cp < 0x80) {
    o[0] = cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = 0xc0 | cp >> 6;
    o[1] = 0x80 | (cp & 63);
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = 0xe0 | cp >> 12;
    o[1] = 0x80 | (cp >> 6 & 63);
    o[2] = 0x80 | (cp & 63);
    return 3;
  }
  o[0] = 0xf0 | cp >> 18;
  o[1] = 0x80 | (cp >> 12 & 63);
  o[2] = 0x80 | (cp >> 6 & 63);
  o[3] = 0x80 | (cp & 63);
  return 4;
}

// n bytes and 16 more (what the 16-byte stores write past them) free in this call's texts; where they start.
static u8 *room(u32 n) {
  if ((u64)out.ntext + n + 16 > captext) {
    u64 cap = (u64)captext * 2 + n + 16;
    if (cap > 0xffffffffu) __builtin_trap();
    out.texts = regrow(out.texts, out.ntext, cap);
    captext = cap;
  }
  return out.texts + out.ntext;
}

// The string just scanned, escapes decoded, as UTF-8 at o (room for it there); the address after it, or 0 at
// a lone surrogate, which UTF-8 cannot hold. uhigh: it holds bytes above ASCII. Sixteen bytes at a time up
// to a backslash (the only special byte left in a string str() has checked).
static u32 uhigh;
static u8 *unescape(u8 *o) {
  const u8 *s = s0;
  uhigh = sflags & HIGH;
  for (;;) {
    v128_t v = wasm_v128_load(s);
    wasm_v128_store(o, v);
    u32 stop = wasm_i8x16_bitmask(wasm_i8x16_eq(v, wasm_i8x16_splat('\\')));
    if (s1 - s < 16) stop |= 1u << (s1 - s);
    if (!stop) {
      s += 16;
      o += 16;
      continue;
    }
    u32 i = __builtin_ctz(stop);
    s += i;
    o += i;
    if (s == s1) return o;
    u8 c = s[1];
    s += 2;
    if (c != 'u') {
      *o++ = c == 'b' ? 8 : c == 'f' ? 12 : c == 'n' ? 10 : c == 'r' ? 13 : c == 't' ? 9 : c;
      continue;
    }
    u32 cp = hex4(s);
    s += 4;
    if (cp >= 0xd800 && cp < 0xe000) {
      if (cp >= 0xdc00 || s[0] != '\\' || s[1] != 'u') return 0;
      u32 lo = hex4(s + 2);
      if (lo < 0xdc00 || lo >= 0xe000) return 0;
      s += 6;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (cp >= 0x80) uhigh = HIGH;
    o += utf8(cp, o);
  }
}

// Whether the string just scanned, an escaped one, is `name` (UTF-8) once decoded, there in the texts' free
// room. A lone surrogate is never part of a name (json-records.ts gives up on such names).
static int escaped_is(const u8 *name, u32 n) {
  u8 *o = room(s1 - s0);
  u8 *e = unescape(o);
  if (!e || (u32)(e - o) != n) return 0;
  for (u32 i = 0; i < n; i++)
    if (o[i] != name[i]) return 0;
  return 1;
}

// Whether the string just scanned is `name`.
static inline __attribute__((always_inline)) int is(const u8 *name, u32 n) {
  if (sflags & ESCAPED) return escaped_is(name, n);
  if ((u32)(s1 - s0) != n) return 0;
  for (u32 i = 0; i < n; i++)
    if (s0[i] != name[i]) return 0;
  return 1;
}

// The 8 bytes at s + i, those from s + n on zeroed (the buffer and the pool have room after the bytes).
static inline u64 word(const u8 *s, u32 i, u32 n) {
  u64 w;
  __builtin_memcpy(&w, s + i, 8);
  return n - i >= 8 ? w : w & ((1ull << 8 * (n - i)) - 1);
}

static void rehash(void) {
  u32 size = (tmask + 1) * 2;
  u64 *t = alloc(size * 8);
  __builtin_memset(t, 0, size * 8);
  for (u32 i = 0; i <= tmask; i++) {
    u64 e = table[i];
    if (!e) continue;
    u32 at = (e >> 32) & (size - 1);
    while (t[at]) at = (at + 1) & (size - 1);
    t[at] = e;
  }
  ioff = regrow(ioff, nids * 4, size / 2 * 4);
  table = t;
  tmask = size - 1;
}

// The id of the n bytes at s (ASCII, no escapes, n <= INTERN_LEN); new ones are told to JS in news. -1 when
// the table is full.
static int32_t intern(const u8 *s, u32 n) {
  u64 h = n * 0x9e3779b97f4a7c15ull;
  for (u32 i = 0; i < n; i += 8) {
    h = (h ^ word(s, i, n)) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  u64 tag = (h >> 32 << 8 | n) << 24;
  u32 at = (u32)(h >> 32) & tmask;
  for (;; at = (at + 1) & tmask) {
    u64 e = table[at];
    if (!e) break;
    if ((e & ~0xffffffull) != tag) continue;
    u32 id = (u32)(e & 0xffffff) - 1;
    const u8 *known = pool + ioff[id];
    u32 i = 0;
    while (i < n && word(s, i, n) == word(known, i, n)) i += 8;
    if (i >= n) return id;
  }
  if (nids == INTERN_IDS) return -1;
  u32 size = (n + 7) & ~7u;
  if (pooln + size > poolcap) {
    pool = regrow(pool, pooln, poolcap * 2 + size);
    poolcap = poolcap * 2 + size;
  }
  for (u32 i = 0; i < n; i += 8) {
    u64 w = word(s, i, n);
    __builtin_memcpy(pool + pooln + i, &w, 8);
  }
  if (2 * out.nnews + 2 > capnews) {
    out.news = regrow(out.news, capnews * 4, capnews * 8);
    capnews *= 2;
  }
  out.news[2 * out.nnews] = (u32)(uintptr_t)s;
  out.news[2 * out.nnews + 1] = n;
  out.nnews++;
  u32 id = nids++;
  ioff[id] = pooln;
  pooln += size;
  table[at] = tag | (id + 1);
  if (nids * 2 > tmask) rehash();
  return id;
}

// The number at p (JSON's grammar), into slot when there is one: integers of up to 15 digits exactly here
// (below 2^53), the rest as text for JS's Number().
static const u8 *number(const u8 *p, Slot *slot) {
  const u8 *q = p + (*p == '-');
  const u8 *d = q;
  if (*q == '0')
    q++;
  else if (digit(*q))
    while (digit(*q)) q++;
  else
    return bad(q);
  int simple = 1;
  if (*q == '.') {
    simple = 0;
    if (!digit(*++q)) return bad(q);
    while (digit(*q)) q++;
  }
  if ((*q | 0x20) == 'e') {
    simple = 0;
    q++;
    if (*q == '+' || *q == '-') q++;
    if (!digit(*q)) return bad(q);
    while (digit(*q)) q++;
  }
  if (!slot) return q;
  if (simple && q - d <= 15) {
    int64_t v = 0;
    for (const u8 *c = d; c < q; c++) v = v * 10 + (*c - '0');
    slot->tag = NUM;
    slot->num = *p == '-' ? -(double)v : (double)v;
  } else {
    slot->tag = NUMTEXT;
    slot->a = (int32_t)(uintptr_t)p;
    slot->b = q - p;
  }
  return q;
}

static const u8 *literal(const u8 *p, const char *lit) {
  for (; *lit; p++, lit++)
    if (*p != (u8)*lit) return bad(p);
  return p;
}

// `"key" :` at p; the address of the value after it.
static const u8 *member(const u8 *p) {
  if (*p != '"') return bad(p);
  TRY(str(p));
  p = ws(p);
  if (*p != ':') return bad(p);
  return ws(p + 1);
}

// Past the value at p, checking its grammar. Iterative: the closing bracket of each open container on a
// small stack, so no input can overflow the C stack.
static const u8 *skip_any(const u8 *p) {
  u8 open[MAX_DEPTH + 1];
  u32 depth = 0;
  for (;;) {
    if (depth > MAX_DEPTH && *p) return refuse();  // (the NUL: a piece ended, maybe inside `[]`)
    u8 c = *p;
    if (c == '"')
      TRY(str(p));
    else if (c == '{' || c == '[') {
      p = ws(p + 1);
      if (*p == c + 2) p++;  // `{}` or `[]`: '}' and ']' are '{' and '[' + 2
      else {
        open[depth++] = c + 2;
        if (c == '{') TRY(member(p));
        continue;
      }
    } else if (c == '-' || digit(c))
      TRY(number(p, 0));
    else if (c == 't')
      TRY(literal(p, "true"));
    else if (c == 'f')
      TRY(literal(p, "false"));
    else if (c == 'n')
      TRY(literal(p, "null"));
    else
      return bad(p);
    // After a value: close the containers that end here, up to the next value.
    for (;;) {
      if (!depth) return p;
      p = ws(p);
      if (*p == open[depth - 1]) {
        depth--;
        p++;
        continue;
      }
      if (*p != ',') return bad(p);
      p = ws(p + 1);
      if (open[depth - 1] == '}') TRY(member(p));
      break;
    }
  }
}

// Past the value at p; the values most skipped first.
static inline const u8 *skip(const u8 *p) {
  if (*p == '"') return str(p);
  if (*p == '-' || digit(*p)) return number(p, 0);
  return skip_any(p);
}

// A string value just scanned into slot: an id when interned; else, unless it is UTF-8 as it lies, its text
// with escapes decoded, appended to this call's texts, which JS decodes once and slices; else (UTF-8, or a
// lone surrogate) its span for JS to decode.
static void put(Slot *slot, int interned) {
  u32 n = s1 - s0;
  int32_t id = interned && !sflags && n <= INTERN_LEN ? intern(s0, n) : -1;
  u8 *o, *e;
  if (id >= 0) {
    slot->tag = ID;
    slot->a = id;
  } else if (sflags != HIGH && (e = unescape(o = room(n)))) {
    slot->tag = TXT | uhigh;
    slot->a = out.ntext;
    slot->b = e - o;
    out.ntext += e - o;
  } else {
    slot->tag = STR | sflags;
    slot->a = (int32_t)(uintptr_t)s0;
    slot->b = n;
  }
}

static void item(const u8 *s, u32 n, u32 flags) {
  if (nitems + 3 > capitems) {
    out.items = regrow(out.items, nitems * 4, capitems * 8);
    capitems *= 2;
  }
  int32_t id = !flags && n <= INTERN_LEN ? intern(s, n) : -1;
  if (id >= 0)
    out.items[nitems++] = id;
  else {
    out.items[nitems++] = -1 - (int32_t)flags;
    out.items[nitems++] = (int32_t)(uintptr_t)s;
    out.items[nitems++] = n;
  }
}

// `[{..., "sub": "x", ...}, ...]` at p: the strings, interned, as items. JSON.parse keeps the last of
// duplicate keys, and so does this.
static const u8 *list(const u8 *p, const Field *fd, Slot *slot) {
  if (*p != '[') return bad(p);
  u32 from = nitems, count = 0;
  p = ws(p + 1);
  if (*p != ']')
    for (;;) {
      if (*p != '{') return bad(p);
      const u8 *v0 = 0, *v1 = 0;
      u32 vflags = 0;
      p = ws(p + 1);
      if (*p != '}')
        for (;;) {
          if (*p != '"') return bad(p);
          TRY(str(p));
          int m = is(fd->sub, fd->sublen);
          p = ws(p);
          if (*p != ':') return bad(p);
          p = ws(p + 1);
          if (m) {
            if (*p != '"') return bad(p);
            TRY(str(p));
            v0 = s0;
            v1 = s1;
            vflags = sflags;
          } else
            TRY(skip(p));
          p = ws(p);
          if (*p == '}') break;
          if (*p != ',') return bad(p);
          p = ws(p + 1);
        }
      if (!v0) return refuse();
      item(v0, v1 - v0, vflags);
      count++;
      p = ws(p + 1);
      if (*p == ']') break;
      if (*p != ',') return bad(p);
      p = ws(p + 1);
    }
  slot->tag = LIST;
  slot->a = from;
  slot->b = count;
  return p + 1;
}

// One record at p into nf slots; duplicate keys overwrite, as JSON.parse's last one wins.
static const u8 *record(const u8 *p, Slot *slot) {
  if (*p != '{') return bad(p);
  for (u32 f = 0; f < nf; f++) slot[f].tag = ABSENT;
  p = ws(p + 1);
  if (*p == '}') return p + 1;
  for (;;) {
    if (*p != '"') return bad(p);
    TRY(str(p));
    const Field *fd = 0;
    for (u32 f = 0; f < nf && !fd; f++)
      if (is(fields[f].name, fields[f].len)) fd = &fields[f];
    p = ws(p);
    if (*p != ':') return bad(p);
    p = ws(p + 1);
    if (!fd)
      TRY(skip(p));
    else {
      Slot *s = &slot[fd - fields];
      if (fd->kind == K_LIST)
        TRY(list(p, fd, s));
      else if (*p == '"' && fd->kind != K_NUMBER) {
        TRY(str(p));
        put(s, fd->kind == K_STRING);
      } else if ((*p == '-' || digit(*p)) && (fd->kind == K_NUMBER || fd->kind == K_SCALAR))
        TRY(number(p, s));
      else
        return bad(p);
    }
    p = ws(p);
    if (*p == '}') return p + 1;
    if (*p != ',') return bad(p);
    p = ws(p + 1);
  }
}

// Whether [p, q) holds a line break. Inside a record one can only be whitespace between tokens (strings hold
// no raw control bytes), where JSON allows it but a line of JSON Lines ends.
static int broken(const u8 *p, const u8 *q) {
  for (; p < q; p += 16) {
    v128_t v = wasm_v128_load(p);
    u32 m = wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v, wasm_i8x16_splat('\n')), wasm_i8x16_eq(v, wasm_i8x16_splat('\r'))));
    if (q - p < 16) m &= (1u << (q - p)) - 1;
    if (m) return 1;
  }
  return 0;
}

static inline const u8 *bom(const u8 *p) {
  if (p[0] != 0xef) return p;
  if (p[1] != 0xbb) return bad(p + 1);
  if (p[2] != 0xbf) return bad(p + 2);
  return p + 3;
}

// One line of JSON Lines from p, its line break included: an object, or nothing but spaces and tabs (the
// only whitespace JSON allows within a line; a line of other blanks that trim() drops makes the scan give up).
// The last line may end at the file's end instead.
static const u8 *jsonline(const u8 *p) {
  if (line == 1) TRY(bom(p));
  while (*p == ' ' || *p == '\t') p++;
  int rec = *p == '{';
  if (rec) {
    const u8 *r = p;
    TRY(record(p, out.recs + out.nrec * nf));
    if (broken(r, p)) return refuse();  // an object over more lines than one
    while (*p == ' ' || *p == '\t') p++;
  }
  if (*p == '\n')
    p++;
  else if (*p == '\r') {
    if (p + 1 == end && !ateof) return bad(end);  // a \r\n the piece cuts, or a lone \r
    p += 1 + (p[1] == '\n');
  } else if (p != end || !ateof)
    return bad(p);
  if (line == 0xffffffffu) return refuse();
  if (rec) out.lines[out.nrec++] = line;
  line++;
  return p;
}

// One unit from p, whitespace first: the document's start, a top-level member, a record, the array's end;
// moves the phase on. Or a line of JSON Lines.
static const u8 *unit(const u8 *p) {
  switch (phase) {
  case LINE:
    return jsonline(p);
  case START:
    TRY(bom(p));
    p = ws(p);
    if (*p != '{') return bad(p);
    phase = MEMBER;
    return p + 1;
  case MEMBER: {
    p = ws(p);
    if (*p != '"') return bad(p);  // `{}`, or no key: nothing to scan
    TRY(str(p));
    int m = is(key, keylen);
    p = ws(p);
    if (*p != ':') return bad(p);
    p = ws(p + 1);
    if (m) {
      if (seen) return refuse();  // a second array of that name: JSON.parse keeps the last
      if (*p != '[') return bad(p);
      seen = 1;
      phase = ARRAY_FIRST;
      return p + 1;
    }
    TRY(skip(p));
    p = ws(p);
    if (*p == ',') return p + 1;
    if (*p == '}' && seen) {
      phase = END;
      return p + 1;
    }
    return bad(p);  // a `}` before the array: the document has none
  }
  case ARRAY_FIRST:
  case ARRAY_NEXT:
    p = ws(p);
    if (*p == ']') {
      phase = AFTER_ARRAY;
      return p + 1;
    }
    if (phase == ARRAY_NEXT) {
      if (*p != ',') return bad(p);
      p = ws(p + 1);
    }
    TRY(record(p, out.recs + out.nrec * nf));
    out.nrec++;
    phase = ARRAY_NEXT;
    return p;
  case AFTER_ARRAY:
    p = ws(p);
    if (*p == ',') {
      phase = MEMBER;
      return p + 1;
    }
    if (*p != '}') return bad(p);
    phase = END;
    return p + 1;
  default:
    return bad(p);
  }
}

// Starts a scan, forgetting the last one (an instance serves one scan at a time, and then the next). spec, at
// __heap_base, n bytes: words JSON Lines (1) or one document (0), nf, key length, then per field kind, name
// length, sub-name length; then the key's bytes and each field's name and sub-name. Returns the address of `out`.
__attribute__((export_name("init"))) void *init(u32 n) {
  const int32_t *spec = (const int32_t *)&__heap_base;
  top = &__heap_base + n;
  phase = *spec++ ? LINE : START;
  line = 1;
  seen = giveup = 0;
  nids = pooln = 0;
  nf = spec[0];
  keylen = spec[1];
  const u8 *bytes = (const u8 *)(spec + 2 + 3 * nf);
  key = bytes;
  bytes += keylen;
  fields = alloc(nf * sizeof(Field));
  for (u32 f = 0; f < nf; f++) {
    Field *fd = &fields[f];
    fd->kind = spec[2 + 3 * f];
    fd->len = spec[3 + 3 * f];
    fd->sublen = spec[4 + 3 * f];
    fd->name = bytes;
    bytes += fd->len;
    fd->sub = bytes;
    bytes += fd->sublen;
  }
  out.recs = alloc(MAX_RECORDS * nf * sizeof(Slot));
  out.lines = alloc(MAX_RECORDS * 4);
  capitems = 1 << 14;
  out.items = alloc(capitems * 4);
  capnews = 1 << 12;
  out.news = alloc(capnews * 4);
  tmask = (1 << 12) - 1;
  table = alloc((tmask + 1) * 8);
  __builtin_memset(table, 0, (tmask + 1) * 8);
  ioff = alloc((tmask + 1) / 2 * 4);
  poolcap = 1 << 14;
  pool = alloc(poolcap);
  captext = 1 << 16;
  out.texts = alloc(captext);
  return &out;
}

// n bytes for json-records.ts (its buffers), after init.
__attribute__((export_name("reserve"))) void *reserve(u32 n) { return alloc(n); }

// The units in [from, to), where the bytes in hand end (json-records.ts leaves 32 bytes of room after them:
// the NUL, and what 16-byte loads read past it); eof: the file ends there too. Each call starts the lists of records, items and new strings afresh (JS has taken the last call's).
__attribute__((export_name("scan"))) int32_t scan(const u8 *from, u8 *to, int32_t eof) {
  const u8 *p = from;
  end = to;
  ateof = eof;
  *to = 0;
  out.nrec = out.nnews = nitems = out.ntext = 0;
  for (;;) {
    out.cur = p;
    if (phase == END) {
      p = ws(p);
      if (p < end) return FAIL;  // bytes after the document
      out.cur = end;
      return eof ? DONE : NEED;
    }
    if (phase == LINE && p == end) return eof ? DONE : NEED;
    if (out.nrec == MAX_RECORDS) return MORE;
    const u8 *q = unit(p);
    if (!q) return giveup || errat < end || eof ? FAIL : NEED;
    p = q;
  }
}
