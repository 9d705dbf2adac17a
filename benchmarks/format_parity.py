"""Parity of clip_nbdev's CLIP with transformers' `CLIPModel` and open_clip's `CLIP` after conversion (chapter A8).

For each of OpenAI's nine architectures, with random weights (seeded, fp32, CPU): our model's image features, text
features and logits against open_clip's (the state dict and `open_clip_config`'s `model_cfg`) and, for the ViTs,
transformers' (`openai_to_hf`); prints the largest absolute difference of each. Usage, from the repository root:

    nice .venv/bin/python benchmarks/format_parity.py            # all nine (a few minutes on 2 cores)
    nice .venv/bin/python benchmarks/format_parity.py ViT-B/32   # some of them
"""
import sys, time
import torch
import open_clip, transformers
from clip_nbdev.formats import open_clip_config, openai_to_hf
from clip_nbdev.model import ARCHITECTURES, CLIP, CONFIG_KEYS
from clip_nbdev.tokenizer import tokenize

TEXTS = ['a photo of a cat', 'a diagram of a quokka', 'two dogs playing in the snow']

def features(encode_image, encode_text, logit_scale, images, texts):
    "(image features, text features, logits per image) in float64 for the comparison."
    with torch.no_grad():
        i, t = encode_image(images), encode_text(texts)
        i, t = getattr(i, 'pooler_output', i), getattr(t, 'pooler_output', t)
        logits = logit_scale.exp() * (i / i.norm(dim=-1, keepdim=True)) @ (t / t.norm(dim=-1, keepdim=True)).t()
    return [x.double() for x in (i, t, logits)]

def main(names):
    transformers.logging.set_verbosity_error()
    print(f'torch {torch.__version__}, open_clip {open_clip.__version__}, transformers {transformers.__version__}, '
          f'{torch.get_num_threads()} threads; max |difference| against ours')
    print(f'{"architecture":16} {"library":13} {"image":>9} {"text":>9} {"logits":>9} {"seconds":>8}')
    for name in names:
        torch.manual_seed(0)
        model = CLIP.from_config(ARCHITECTURES[name]).eval()
        R = model.visual.input_resolution
        images = torch.randn(2, 3, R, R, generator=torch.Generator().manual_seed(1))
        texts = tokenize(TEXTS)
        ours = features(model.encode_image, model.encode_text, model.logit_scale, images, texts)
        with torch.no_grad(): ref_logits = model(images, texts)[0].double()
        assert torch.allclose(ours[2], ref_logits, atol=1e-4)   # the logits formula above is CLIP's forward
        sd = {k: v for k, v in model.state_dict().items() if k not in CONFIG_KEYS}
        others = []
        start = time.time()
        oc = open_clip.model.CLIP(**open_clip_config(model)['model_cfg']).eval()
        oc.load_state_dict(sd, strict=True)
        others.append(('open_clip', features(oc.encode_image, oc.encode_text, oc.logit_scale, images, texts), time.time() - start))
        del oc
        if model.visual.__class__.__name__ == 'VisionTransformer':
            start = time.time()
            hf_sd, cfg = openai_to_hf(model)
            hf = transformers.CLIPModel(transformers.CLIPConfig.from_dict(cfg)).eval()
            hf.load_state_dict(hf_sd, strict=True)
            f = features(lambda x: hf.get_image_features(pixel_values=x), lambda t: hf.get_text_features(input_ids=t),
                         hf.logit_scale, images, texts)
            others.append(('transformers', f, time.time() - start)); del hf, hf_sd
        for lib, theirs, secs in others:
            d = [float((a - b).abs().max()) for a, b in zip(ours, theirs)]
            print(f'{name:16} {lib:13} {d[0]:9.1e} {d[1]:9.1e} {d[2]:9.1e} {secs:8.1f}', flush=True)
        del model

if __name__ == '__main__':
    main(sys.argv[1:] or list(ARCHITECTURES))
