"""One wrong answer for every exercise of every notebook: the data `tools/run_notebooks.py` uses to show that each
exercise's check can fail.

`MUTANTS[(notebook stem, exercise number)]` is the source of a cell that replaces the exercise's reference solution
(the `# Exercise N — reference solution` cell): a plausible student mistake. After a notebook's exercises have run,
`run_notebooks.py` executes each wrong answer in the notebook's kernel, then the exercise's check cell(s), and requires
one of them to raise; then it runs the reference solution and its checks again, which must pass.

Rules for a wrong answer: it must run without error itself; it must (re)define every name the check reads, so that
the check judges the wrong answer and not a value left over from the reference solution; and it must not change any
state the reference solution does not rebuild (no in-place edits of the chapter's models or tokenizer). Add an entry
with every new exercise: a notebook fails when one of its exercises has no entry, or an entry names an exercise it
does not have.
"""

MUTANTS = {
    # ---------------------------------------------------------------- 01_tokenizer
    ('01_tokenizer', 1): '''\
# forgot the start and end tokens: one id per word
n_cat = len('a photo of a cat'.split())
n_quokka = len('a photo of a quokka'.split())
''',
    ('01_tokenizer', 2): '''\
bytes_only = SimpleTokenizer()          # forgot to empty bpe_ranks: this tokenizer still merges
texts = [c['text'] for c in golden]
n_bpe = sum(len(tok.encode(t)) for t in texts)
n_bytes = sum(len(bytes_only.encode(t)) for t in texts)
too_long = [sum(len(e.encode(t)) > 75 for t in texts) for e in (tok, bytes_only)]
''',
    ('01_tokenizer', 3): '''\
def fits(n):
    try: tokenize(' '.join(['word'] * n)); return True
    except RuntimeError: return False
n_max = 77                               # predicted, not tried: every position for a word
''',
    # ---------------------------------------------------------------- 02_attention
    ('02_attention', 1): '''\
pred = torch.full((5, 5), 1 / 5)         # forgot the mask: uniform over all five keys
''',
    ('02_attention', 2): '''\
n_1_head = 4 * 64 * 64 + 4 * 64
n_16_heads = 16 * n_1_head               # thinks each head has its own projections
''',
    ('02_attention', 3): '''\
predicted_std = {True: 1.0, False: 8.0}
def attend(q, k, v, scaled: bool = True):
    scores = q @ k.transpose(-2, -1)
    if scaled: scores = scores / q.shape[-1]          # divides by d, not by its square root
    w = scores.softmax(dim=-1)
    return w @ v, scores, w
torch.manual_seed(0)
q3, k3, v3 = torch.randn(3, 1000, 16, 64).unbind(0)
peak = {s: attend(q3, k3, v3, s)[2].max(dim=-1).values.mean().item() for s in (True, False)}
''',
    ('02_attention', 4): '''\
def layer_norm_fp16(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    x32 = x.float()                                   # computes in fp32 after all, casting only the result
    mu = x32.mean(dim=-1, keepdim=True)
    var = ((x32 - mu) ** 2).mean(dim=-1, keepdim=True)
    return ((x32 - mu) / torch.sqrt(var + eps)).half()
torch.manual_seed(0)
big = (torch.randn(4, 512) * 1000).half()
exact = F.layer_norm(big.float(), (512,))
err_fp16 = (layer_norm_fp16(big).float() - exact).abs().max().item()
err_ours = (LayerNorm(512)(big).float() - exact).abs().max().item()
''',
    # ---------------------------------------------------------------- 03_vit
    ('03_vit', 1): '''\
n_tokens = {(res_, p): (res_ // p) ** 2 for res_, p in [(224, 32), (224, 16), (224, 14), (336, 14)]}  # forgot the class token
''',
    ('03_vit', 2): '''\
made, expected = (2 * res // patch) ** 2 + 1, (res // patch) ** 2 + 1
message = ''                             # no prediction at all: the empty string is in every message
''',
    ('03_vit', 3): '''\
swapped = golden['image'].clone()
top_left, bottom_right = swapped[:, :, :patch, :patch].clone(), swapped[:, :, -patch:, -patch:].clone()
swapped[:, :, :patch, :patch], swapped[:, :, -patch:, -patch:] = bottom_right, top_left
no_pos = VisionTransformer(res, patch, width, layers, width // 64, embed_dim).eval()
no_pos.load_state_dict(visual_sd)                     # forgot to zero its positional embedding
with torch.no_grad():
    change = {'with positions': (vit(swapped) - vit(golden['image'])).abs().max().item(),
              'without': (no_pos(swapped) - no_pos(golden['image'])).abs().max().item()}
''',
    ('03_vit', 4): '''\
exact_gelu = VisionTransformer(res, patch, width, layers, width // 64, embed_dim).eval()
exact_gelu.load_state_dict(visual_sd)
for block in exact_gelu.transformer.resblocks: block.gelu = nn.GELU()   # a new attribute of the block: the MLP never uses it
with torch.no_grad(): gelu_diff = (exact_gelu(golden['image']) - golden['image_features']).abs().max().item()
''',
    # ---------------------------------------------------------------- 04_resnet
    ('04_resnet', 1): '''\
fmap_shape = (1, 2048, 288 // 32, 288 // 32)          # RN50's 2048 channels, not 32 x the stem width
pos_shape = ((288 // 32) ** 2 + 1, 2048)
''',
    ('04_resnet', 2): '''\
tokens = fm.flatten(2).transpose(1, 2)
tokens = torch.cat([tokens.mean(1, keepdim=True), tokens], 1)                 # forgot the positional embedding
with torch.no_grad(): pred_pool = blind_pool.c_proj(blind_pool.v_proj(tokens).mean(1))
''',
    ('04_resnet', 3): '''\
in_train = ModifiedResNet(layers, embed_dim, width * 32 // 64, res, width)
in_train.load_state_dict(visual_sd)
in_train.train()
other = golden['image'].clone(); other[1] = torch.randn_like(other[1])
with torch.no_grad():
    train_feats = in_train(golden['image'])
    train_diff = (train_feats - golden['image_features']).abs().max().item()
    cross_talk = (in_train(other)[0] - train_feats[0]).abs().max().item()
stats_moved = 1.0                                      # hard-coded, not measured: "they changed" is not how far
''',
    # ---------------------------------------------------------------- 05_text
    ('05_text', 1): '''\
predicted_shapes = [(1, 77, 64), (2, 77, 64)]          # no trimming: every text padded to 77, one group per call
''',
    ('05_text', 2): '''\
def features_at(text: torch.Tensor, pos: torch.Tensor, mask: bool = True) -> torch.Tensor:
    x = enc.token_embedding(text) + enc.positional_embedding
    x = enc.transformer(x, causal_mask(text.shape[1]) if mask else None)     # forgot ln_final
    return x[torch.arange(len(text)), pos] @ enc.text_projection
gold_eot = golden['text'].argmax(dim=-1)
with torch.no_grad():
    at_last = features_at(golden['text'], torch.full_like(gold_eot, 76))
last_diff = (at_last - golden['text_features']).abs().amax(dim=-1)
''',
    ('05_text', 3): '''\
torch.manual_seed(0)
padded = golden['text'].clone()
padded[0, gold_eot[0]:] = torch.randint(1, vocab_size - 1, (77 - gold_eot[0].item(),))   # off by one: overwrites the end-of-text token too
with torch.no_grad():
    moved = {mask: (features_at(padded, gold_eot, mask)[0] - features_at(golden['text'], gold_eot, mask)[0]).abs().max().item()
             for mask in (True, False)}
''',
    # ---------------------------------------------------------------- 06_clip
    ('06_clip', 1): '''\
W = 512
n_text = 49408 * W + 77 * W + 12 * (12 * W**2 + 13 * W) + 2 * W + W * 512   # forgot logit_scale
''',
    ('06_clip', 2): '''\
gv = torch.load('fixtures/clip_vit_tiny.pt', weights_only=True)
mv = build_model(gv['state_dict'])
with torch.no_grad():
    img_f, txt_f = mv.encode_image(gv['image']), mv.encode_text(gv['text'])
    img_n, txt_n = img_f / img_f.norm(dim=-1, keepdim=True), txt_f / txt_f.norm(dim=-1, keepdim=True)
    by_hand = mv.logit_scale * img_n @ txt_n.T        # forgot the exp: logit_scale holds t, the scale is e^t
''',
    ('06_clip', 3): '''\
with torch.no_grad(): unnormalised = img_f @ txt_f.T   # forgot the scale e^t
best_p = {'normalised': by_hand.softmax(dim=-1).amax(dim=-1), 'unnormalised': unnormalised.softmax(dim=-1).amax(dim=-1)}
''',
    ('06_clip', 4): '''\
n_fp32 = (49408 * 512 + 77 * 512 + 2 * 512 * (2 * 12 + 1)
          + 768 + 50 * 768 + 2 * 768 * (2 * 12 + 1)   # forgot one of ln_pre / ln_post
          + 1)
''',
    # ---------------------------------------------------------------- 07_load
    ('07_load', 1): '''\
rgba = np.zeros((40, 60, 4), np.uint8); rgba[10:30, 20:40] = (255, 0, 0, 255)
rgba[..., :3][rgba[..., 3] == 0] = (0, 0, 255)
img = Image.fromarray(rgba)
converted_first = image_transform(32)(Image.new('RGB', img.size))   # transforms a black picture, not img converted
largest_difference = (converted_first - image_transform(32)(img)).abs().max().item()
''',
    ('07_load', 2): '''\
def vit_resolution(sd: dict) -> int:
    patch = sd['visual.conv1.weight'].shape[-1]
    return patch * 4                                     # assumes a 4 x 4 grid, as in the tiny models
''',
    # ---------------------------------------------------------------- 08_data
    ('08_data', 1): '''\
n_train_combos = 6 * 5   # forgot the held-out combinations
n_unseen_combos = 6
''',
    ('08_data', 2): '''\
n_tokens = 7             # forgot <|startoftext|> and <|endoftext|>
''',
    ('08_data', 3): '''\
def write_captions(path, pairs):
    with open(path, 'w', encoding='utf-8') as f:        # the naive way: nothing quoted
        f.write('image,caption\\n')
        for image, caption in pairs: f.write(f'{image},{caption}\\n')
''',
    # ---------------------------------------------------------------- 09_pretrain
    ('09_pretrain', 1): '''\
prediction = 1 / 16      # the probability of the right pair, not the loss
''',
    ('09_pretrain', 2): '''\
def train_temperature(clamp: bool, steps: int = 200) -> float:
    t = nn.Parameter(torch.tensor(math.log(50.)))
    feats = F.normalize(torch.eye(8) + 1, dim=-1)
    opt = torch.optim.AdamW([t], lr=0.05, weight_decay=0.0)
    for _ in range(steps):
        logits = t.exp() * feats @ feats.T
        loss = clip_loss(logits, logits.T)
        opt.zero_grad(); loss.backward(); opt.step()
        if clamp:
            with torch.no_grad(): t.clamp_(0, 100)       # clamps t to 100, not to ln 100: never binds
    return t.exp().item()

with_clamp, without_clamp = train_temperature(True), train_temperature(False)
''',
    ('09_pretrain', 3): '''\
with_bias = math.log1p(math.exp(10)) + 63 * math.log1p(math.exp(-10))
without_bias = math.log(2)   # every pair at sigma(0) = 1/2: forgot that the N^2 pairs are divided by N, not N^2
''',
    # ---------------------------------------------------------------- 10_bundled
    ('10_bundled', 1): '''\
chance = 1 / 5   # one of 5 shapes: forgot the colours
''',
    ('10_bundled', 2): '''\
items = make_synthetic(300, seed=3, split='seen', image_size=64)
_, labels30 = class_prompts()
with torch.no_grad():
    w = F.normalize(model.encode_text(tokenize([f'a {c} {s}' for c, s in labels30])), dim=-1)   # kept the colour in the prompt
    f = F.normalize(model.encode_image(torch.stack([preprocess(it.image) for it in items])), dim=-1)
pred = [labels30[j] for j in (f @ w.T).argmax(-1).tolist()]
predicted_colours = {c for c, _ in pred}
no_colour_acc = sum((it.colour, it.shape) == p for it, p in zip(items, pred)) / len(items)
''',
    ('10_bundled', 3): '''\
perm = torch.randperm(30, generator=torch.Generator().manual_seed(4)).tolist()
predicted_shuffled = 0.0                 # thinks every renamed class is wrong: forgot the names that stay in place
truth, pred = synthetic_predictions(model, preprocess, 'seen', n=300, seed=4)
_, labels30 = class_prompts()
renamed = {labels30[j]: labels30[perm[j]] for j in range(30)}
shuffled_acc = sum(t == renamed[p] for t, p in zip(truth, pred)) / len(truth)
''',
    # ---------------------------------------------------------------- 11_inference
    ('11_inference', 1): '''\
chance_r10 = 10 / 100
pairs = make_synthetic(100, seed=5, split='seen', image_size=64)
img_e = encode_images(model, preprocess, [p.image for p in pairs])
txt_e = encode_texts(model, [p.caption for p in pairs])
perm = torch.randperm(100, generator=torch.Generator().manual_seed(0))
shuffled = recall_at_k(img_e[perm], txt_e[perm], ks=(1, 10))   # shuffled both sides the same way: still aligned
''',
    ('11_inference', 2): '''\
cool = copy.deepcopy(model)
with torch.no_grad(): cool.logit_scale.fill_(0.0)
ranked_t1, probs_t1 = clip_inference(model, preprocess, '../data/shapes/red_circle.png', candidates)   # ranked with the original model
top_t1 = probs_t1[0]
''',
    ('11_inference', 3): '''\
_, best = retrieve(img_e, txt_e, k=1)                       # image -> text: each picture's closest caption
t2i_r1 = (best[:, 0] == torch.arange(100)).float().mean().item()
''',
    # ---------------------------------------------------------------- A4_index
    ('A4_index', 1): '''\
predicted_stat = 1      # thinks a touched file with the same bytes is not embedded again
predicted_content = 1
''',
    ('A4_index', 2): '''\
class FilteredSearch(ExactSearch):
    "Exact search restricted to the rows numbered in `allowed`."
    def __init__(self, allowed): super().__init__(); self.allowed = sorted(allowed)
    def search(self, queries, k): return retrieve(queries, self.rows[self.allowed], k)   # ids of the subset, not of the index
''',
    # ---------------------------------------------------------------- 11b_finetune (was 09b_finetune)
    ('11b_finetune', 1): '''\
trainable_elements = sum(v.numel() for k, v in bundled.state_dict().items()
                         if not k.startswith('visual.') and v.is_floating_point())   # forgot the frozen logit_scale
''',
    ('11b_finetune', 2): '''\
model = copy.deepcopy(vit).train(); features = ContrastiveFeatures(model)
torch.manual_seed(1)
images, texts = torch.randn(64, 3, 32, 32), tokenize([f'picture number {i}' for i in range(64)])
ClipLoss()(*features(images, texts)).backward()
big = model.logit_scale.grad.item(); model.zero_grad()
for i in range(0, 64, 16):
    (ClipLoss()(*features(images, texts)) / 4).backward()   # forgot to slice: each "micro-batch" is the whole batch
naive = model.logit_scale.grad.item()
''',
    ('11b_finetune', 3): '''\
shots_to_match = next((i for i, a in enumerate(curves['unseen']) if a >= zero_shot['unseen']), None)   # an index into shots, not a number of pictures
''',
    ('11b_finetune', 4): '''\
class SigLipLoss(ContrastiveLoss):
    "SigLIP's pairwise sigmoid loss, with a fixed bias."
    def __init__(self, bias: float = -10.0): self.bias = bias
    def __call__(self, image_features, text_features, logit_scale):
        logits = logit_scale * image_features @ text_features.t() + self.bias
        z = 2 * torch.eye(len(logits), device=logits.device) - 1
        return -F.logsigmoid(z * logits).mean()          # averages over all N² pairs, not over the N images
''',
    # ---------------------------------------------------------------- 12_visualize
    ('12_visualize', 1): '''\
n_maps = 2
map_shape = (3, 2, 16, 16)       # forgot the class token
''',
    ('12_visualize', 2): '''\
uniform_rollout = 1 / 17         # forgot the identity (the residual) added to each block
''',
    ('12_visualize', 3): '''\
perm = torch.randperm(len(captions), generator=torch.Generator().manual_seed(1)).tolist()
best_column = list(range(len(captions)))   # predicted, not measured: the diagonal
''',
    # ---------------------------------------------------------------- 13_cli
    ('13_cli', 1): '''\
no_texts, _, err_no_texts = run('clip_predict', '../data/shapes/red_circle.png')
no_image, _, err_no_image = run('clip_predict', 'nowhere.png')   # forgot the texts: argparse stops first
''',
    ('13_cli', 2): '''\
m, preprocess = load_model('synthetic-tiny', device='cpu')
try: clip_inference(m, preprocess, 'nowhere.png', ['a red circle', 'a blue square'])
except Exception as e: unguarded = e
traceback_lines = len(traceback.format_exception_only(type(unguarded), unguarded))   # only the last line, not the traceback
try: clip_predict('nowhere.png', ['a red circle', 'a blue square'], device='cpu')
except SystemExit as e: guarded = e
''',
    ('13_cli', 3): '''\
code, out, err = run('clip_predict', '../data/cat.jpg', 'a photo of a cat')   # only one caption: nothing to rank it against
ranked = [(float(line.split(None, 1)[0]), line.split(None, 1)[1]) for line in out.splitlines()]
''',
    # ---------------------------------------------------------------- 14_export
    ('14_export', 1): '''\
eager_pred, traced_pred = torch.zeros(3), torch.zeros(3)   # thinks the trace asks is_capturing() on every call
''',
    ('14_export', 2): '''\
predicted_errors = {'one longer text': '', 'five short texts': ''}   # no prediction: the empty string is in every message
''',
    ('14_export', 3): '''\
predicted_ort_error = ''                 # no prediction: the empty string is in every message
''',
    # ---------------------------------------------------------------- A0_utils
    ('A0_utils', 1): '''\
after_plain_crash = 'first version'   # thinks a plain open() only replaces the file once the write is done
''',
    ('A0_utils', 2): '''\
sum_is_finite = True                  # every element is finite, so the sum must be
''',
    # ---------------------------------------------------------------- A1_checkpoint
    ('A1_checkpoint', 1): '''\
def defines_setstate(path) -> bool:
    with zipfile.ZipFile(path) as z:
        return any('/code/' in n and n.endswith('.py') for n in z.namelist())   # any code at all, not a __setstate__
''',
    ('A1_checkpoint', 2): '''\
def pickle_globals(data: bytes) -> set:
    return {arg for op, arg, _ in pickletools.genops(data) if op.name == 'GLOBAL'}   # kept 'module name' with its space
''',
    ('A1_checkpoint', 3): '''\
predicted_bytes = 768 * 512 * 4   # 4 bytes per number: fp32
''',
    # ---------------------------------------------------------------- A6_inputs
    ('A6_inputs', 1): '''\
accepted = [True, True, True, False]   # thinks an unquoted comma stays inside the caption
''',
    # ---------------------------------------------------------------- A2_hub
    ('A2_hub', 1): '''\
def verified(path, url: str) -> bool:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() == url.rstrip('/').split('/')[-2]   # case-sensitive
''',
    # ---------------------------------------------------------------- A3_training
    ('A3_training', 1): '''\
n_steps = 3 * math.ceil(1000 / 64)   # counts the incomplete last batch
''',
    ('A3_training', 2): '''\
may_change = {'lr', 'grad_clip', 'weight_decay', 'num_workers', 'epochs'}   # thinks more epochs simply continue the run
''',
    # ---------------------------------------------------------------- A4_index
    ('A4_index', 1): '''\
predicted_stat = 1      # thinks a touched file with the same bytes is not embedded again
predicted_content = 1
''',
    ('A4_index', 2): '''\
class FilteredSearch(ExactSearch):
    "Exact search restricted to the rows numbered in `allowed`."
    def __init__(self, allowed): super().__init__(); self.allowed = sorted(allowed)
    def search(self, queries, k):
        scores, ids = super().search(queries, k)                      # searches every row, then filters: may return fewer than k
        keep = torch.isin(ids[0], torch.tensor(self.allowed))
        return scores[:, keep], ids[:, keep]
''',
    # ---------------------------------------------------------------- A5_shards
    ('A5_shards', 1): '''\
n_shards = 23 // 10                                          # forgot the remainder
last_members = [f'{i:09d}.{ext}' for i in range(20, 23) for ext in ('png', 'txt')]
''',
    ('A5_shards', 2): '''\
def read_shard(path):
    files = {}
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            key, ext = m.name.split('.', 1)
            files.setdefault(key, {})[ext] = tar.extractfile(m).read()
    return [(Image.open(io.BytesIO(f.get('png') or f['jpg'])), f['txt']) for _, f in sorted(files.items())]   # forgot to decode the caption
''',
    # ---------------------------------------------------------------- A7_embed
    ('A7_embed', 1): '''\
rank1_shards = [i for i in range(-(-25 // 4)) if i % 3 == 0]   # took rank 1 for the first process: ranks count from 0
''',
    ('A7_embed', 2): '''\
def my_recall(found, truth):                 # counts matches in the same position only
    return float(np.mean([np.mean(f == t) for f, t in zip(found, truth)]))
''',
    # ---------------------------------------------------------------- A8_formats
    ('A8_formats', 1): '''\
k_rows = slice(0, 64)                   # took the first third: those rows are the queries
''',
    ('A8_formats', 2): '''\
rows_320 = (320 // 32) ** 2             # forgot the class token's row
''',
    # ---------------------------------------------------------------- A9_precision
    ('A9_precision', 1): '''\
gap_bf16 = 2 ** -8                      # counted the implicit leading bit as a stored one
''',
    ('A9_precision', 2): '''\
worst = 0.254 / 127                     # a whole step: rounding is never more than half a step off
''',
}
