#!/usr/bin/env python3
"""Development only: the CLIP tokenizer test data in tests/fixtures/clip_tokenizer/.

1. Derives vocab.json and merges.txt from OpenAI's BPE file
   (bpe_simple_vocab_16e6.txt.gz, MIT licensed) as HF's CLIP vocabulary is
   built: the 256 byte symbols in bytes_to_unicode() order, the same with
   "</w>", the first 48,894 merges' results in rank order, then
   <|startoftext|> and <|endoftext|> — 49,408 ids; merges.txt is
   "#version: 0.2" and those 48,894 merges.
2. Loads transformers' CLIPTokenizer from that folder (the tokenizers-backed
   class in transformers 5.x) and writes golden.json:
   - "corpus": ≥ 300 strings with their untruncated ids;
   - "batches": padding=True / "max_length" with truncation, ids and masks;
   - "unicode": what the normaliser and pre-tokeniser do to every code point
     (class runs, single-character normalisations that change the character,
     and NFC probes for every combining mark and canonical composite), so
     tests/test_tokenizer.c checks utf8proc against tokenizers exhaustively.
   Strings are stored as hex of their UTF-8 bytes (NUL-safe for cJSON) with a
   readable copy beside them.

Usage:
    pip download --no-deps open_clip_torch   # or: pip install open_clip_torch
    python3 tools/dev/gen_tokenizer_golden.py [--bpe path/to/bpe_simple_vocab_16e6.txt.gz
                                           | --wheel open_clip_torch-*.whl]
Needs transformers (5.x) and tokenizers; reads utf8proc's combining classes
through ctypes (libutf8proc.so.2) only to choose which code points to probe.
"""
import argparse
import ctypes
import gzip
import hashlib
import importlib.util
import io
import json
import os
import platform
import random
import sys
import tempfile
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures", "clip_tokenizer"))
N_MERGES = 49152 - 256 - 2  # 48894, as OpenAI's simple_tokenizer and HF


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def find_bpe(args):
    if args.bpe:
        return open(args.bpe, "rb").read(), args.bpe
    if args.wheel:
        with zipfile.ZipFile(args.wheel) as z:
            name = [n for n in z.namelist() if n.endswith("bpe_simple_vocab_16e6.txt.gz")][0]
            return z.read(name), f"{os.path.basename(args.wheel)}:{name}"
    for pkg in ("open_clip", "clip"):
        spec = importlib.util.find_spec(pkg)  # does not import the package
        if spec and spec.submodule_search_locations:
            p = os.path.join(list(spec.submodule_search_locations)[0], "bpe_simple_vocab_16e6.txt.gz")
            if os.path.exists(p):
                return open(p, "rb").read(), p
    sys.exit("bpe_simple_vocab_16e6.txt.gz not found: pip install open_clip_torch, or pass --bpe/--wheel")


def derive(gz):
    lines = gzip.decompress(gz).decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1 : N_MERGES + 1]]
    assert len(merges) == N_MERGES and all(len(m) == 2 for m in merges)
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == 49408 == len(set(vocab))
    return {v: i for i, v in enumerate(vocab)}, merges


# ------------------------------------------------------------------ corpus

KINETICS = """abseiling|air drumming|answering questions|applauding|applying cream|archery|arm wrestling|
arranging flowers|assembling computer|auctioning|baby waking up|baking cookies|balloon blowing|bandaging|
barbequing|bartending|beatboxing|bee keeping|belly dancing|bench pressing|bending back|biking through snow|
blasting sand|blowing glass|blowing leaves|blowing nose|blowing out candles|bobsledding|bookbinding|
bouncing on trampoline|bowling|braiding hair|breading or breadcrumbing|breakdancing|brush painting|
brushing hair|brushing teeth|building cabinet|building shed|bungee jumping|busking|canoeing or kayaking|
capoeira|carrying baby|cartwheeling|carving pumpkin|catching fish|catching or throwing baseball|
celebrating|changing oil|cheerleading|chopping wood|clapping|clay pottery making|clean and jerk|
cleaning floor|climbing a rope|climbing tree|contact juggling|cooking chicken|cooking egg|
cooking on campfire|cooking sausages|counting money|country line dancing|cracking neck|crawling baby|
crossing river|crying|curling hair|cutting nails|cutting pineapple|cutting watermelon|dancing ballet|
dancing charleston|dancing gangnam style|dancing macarena|deadlifting|decorating the christmas tree|
digging|dining|disc golfing|diving cliff|dodgeball|doing aerobics|doing laundry|doing nails|drawing|
dribbling basketball|drinking beer|drinking shots|driving car|driving tractor|drop kicking|
drumming fingers|dunking basketball|dying hair|eating burger|eating cake|eating carrots|eating chips|
eating doughnuts|eating hotdog|eating ice cream|eating spaghetti|eating watermelon|egg hunting|
exercising arm|exercising with an exercise ball|extinguishing fire|faceplanting|feeding birds|
feeding fish|feeding goats|filling eyebrows|finger snapping|fixing hair|flipping pancake|
flying kite|folding clothes|folding napkins|folding paper|front raises|frying vegetables|
garbage collecting|gargling|getting a haircut|getting a tattoo|giving or receiving award|golf chipping|
golf driving|golf putting|grinding meat|grooming dog|grooming horse|gymnastics tumbling|hammer throw|
headbanging|headbutting|high jump|high kick|hitting baseball|hockey stop|holding snake|hopscotch|
hoverboarding|hugging|hula hooping|hurdling|hurling (sport)|ice climbing|ice fishing|ice skating|
ironing|javelin throw|jetskiing|jogging|juggling balls|juggling fire|juggling soccer ball|
jumping into pool|jumpstyle dancing|kicking field goal|kicking soccer ball|kissing|kitesurfing|
knitting|krumping|laughing|laying bricks|long jump|lunge|making a cake|making a sandwich|making bed|
making jewelry|making pizza|making snowman|making sushi|making tea|marching|massaging back|
massaging feet|massaging legs|massaging person's head|milking cow|mopping floor|motorcycling|
moving furniture|mowing lawn|news anchoring|opening bottle|opening present|paragliding|parasailing|
parkour|passing American football (in game)|passing American football (not in game)|peeling apples|
peeling potatoes|petting animal (not cat)|petting cat|picking fruit|planting trees|plastering|
playing accordion|playing badminton|playing bagpipes|playing basketball|playing bass guitar|
playing cards|playing cello|playing chess|playing clarinet|playing controller|playing cricket|
playing cymbals|playing didgeridoo|playing drums|playing flute|playing guitar|playing harmonica|
playing harp|playing ice hockey|playing keyboard|playing kickball|playing monopoly|playing organ|
playing paintball|playing piano|playing poker|playing recorder|playing saxophone|playing squash or racquetball|
playing tennis|playing trombone|playing trumpet|playing ukulele|playing violin|playing volleyball|
playing xylophone|pole vault|presenting weather forecast|pull ups|pumping fist|pumping gas|
punching bag|punching person (boxing)|push up|pushing car|pushing cart|pushing wheelchair|reading book|
reading newspaper|recording music|riding a bike|riding camel|riding elephant|riding mechanical bull|
riding mountain bike|riding mule|riding or walking with horse|riding scooter|riding unicycle|
ripping paper|robot dancing|rock climbing|rock scissors paper|roller skating|running on treadmill|
sailing|salsa dancing|sanding floor|scrambling eggs|scuba diving|setting table|shaking hands|
shaking head|sharpening knives|sharpening pencil|shaving head|shaving legs|shearing sheep|
shining shoes|shooting basketball|shooting goal (soccer)|shot put|shoveling snow|shredding paper|
shuffling cards|side kick|sign language interpreting|singing|situp|skateboarding|ski jumping|
skiing (not slalom or crosscountry)|skiing crosscountry|skiing slalom|skipping rope|skydiving|
slacklining|slapping|sled dog racing|smoking|smoking hookah|snatch weight lifting|sneezing|
sniffing|snorkeling|snowboarding|snowkiting|snowmobiling|somersaulting|spinning poi|spray painting|
spraying|springboard diving|squat|sticking tongue out|stomping grapes|stretching arm|stretching leg|
strumming guitar|surfing crowd|surfing water|sweeping floor|swimming backstroke|swimming breast stroke|
swimming butterfly stroke|swing dancing|swinging legs|swinging on something|sword fighting|tai chi|
taking a shower|tango dancing|tap dancing|tapping guitar|tapping pen|tasting beer|tasting food|
testifying|texting|throwing axe|throwing ball|throwing discus|tickling|tobogganing|tossing coin|
tossing salad|training dog|trapezing|trimming or shaving beard|trimming trees|triple jump|tying bow tie|
tying knot (not on a tie)|tying tie|unboxing|unloading truck|using computer|using remote controller (not gaming)|
using segway|vault|waiting in line|walking the dog|washing dishes|washing feet|washing hair|
washing hands|water skiing|water sliding|watering plants|waxing back|waxing chest|waxing eyebrows|
waxing legs|weaving basket|welding|whistling|windsurfing|wrapping present|wrestling|writing|yawning|
yoga|zumba"""

HANDPICKED = [
    # spec examples
    "a photo of a cat", "playing sports", "eating spaghetti", "go shopping", "what's in the video",
    "a video of a person playing the guitar.", "A VIDEO OF A PERSON EATING.", "A Photo Of A Dog",
    # punctuation runs
    "!!!", "hello!!!world", "...", "?!?!", "--", "a---b", "(parenthesized)", "[bracketed] {braced}",
    "c++ & c#", "e-mail: foo@bar.com", "http://example.com/path?q=1&r=2#frag", "#hashtag @mention",
    "$100.00", "50%", "3.14159", "1,000,000", "a/b\\c", "~`^_|", "\"quoted\"", "'single quoted'",
    "«guillemets»", "„German quotes“", "—em dash—", "…ellipsis…", "•bullet", "©®™", "±×÷",
    "<html><body>", "<|", "|>", "<||>", "< | endoftext | >", ";-) :-( :D", "!@#$%^&*()_+-=",
    "...---...", "¡¿", "‽", "§¶†‡", "→←↑↓", "∀x∈ℝ: x²≥0",
    # digits
    "0", "123", "2024-01-01", "1st 2nd 3rd 4th", "007", "3d", "x2", "v1.2.3", "12:30pm",
    "١٢٣ arabic-indic digits", "४२", "½ ¾ ² ³", "Ⅻ roman numeral", "①②③", "𝟙𝟚𝟛", "9999999999",
    "one2three4five", "๑๒๓", "〇一二三",
    # contractions
    "what's", "it's", "don't", "i'm", "you're", "we've", "they'll", "he'd", "WHAT'S UP", "It'S",
    "'s", "''s", "'sup", "rock 'n' roll", "o'clock", "y'all", "can't won't shouldn't've",
    "it’s curly apostrophe", "l'été", "'re'", "'ll'll", "'t", "a'b'c", "'''", "'d've", "'r", "'v e",
    "'LL", "' s", "x's's", "I'D", "'M",
    # accents and combining marks (NFC)
    "café", "cafe\u0301", "naïve", "nai\u0308ve", "résumé", "Ångström", "A\u030angstro\u0308m",
    "ñ", "n\u0303", "e\u0301\u0302", "e\u0302\u0301", "q\u0307\u0323", "q\u0323\u0307",
    "\u1e0b\u0323", "d\u0323\u0307", "\u0301 leading mark", "a\u0300\u0301\u0302\u0303\u0304",
    "ǖ", "Ǖ", "\u1fa2", "\u212b angstrom sign", "\u2126 ohm sign", "\u212a kelvin sign",
    "ﬁ ligature", "ｆｕｌｌｗｉｄｔｈ", "x\u0338", "\u00e9\u0323", "\u1100\u1161\u11a8", "\uac00\u11a8",
    "\uac00\u11a7", "\u1100\u1161\u11a7", "한국어", "\u0915\u093c", "\u0958", "שָׁלוֹם",
    "\u05e9\u05c1\u05bc", "\u05e9\u05bc\u05c1", "مَرْحَبًا", "Tiếng Việt", "Thương", "สวัสดี", "नमस्ते",
    "a\u0898\u0323", "x\U00011935\U00011930", "\U00011938", "\u1df6\u0301", "a\u0315\u0301",
    "o\u031b\u0301", "u\u031b\u0323", "\u0041\u0328\u0301", "A\u0301\u0328", "\u03b1\u0313\u0300\u0345",
    "\u03c9\u0345\u0313", "i\u0307", "\u0131\u0307", "\u0e40\u0e01\u0e48\u0e49", "\u0f71\u0f72",
    "\u0b47\u0b3e", "\u0bc6\u0bbe", "\u1025\u102e", "\U000110b9\U000110ba", "\U00011131\U00011127",
    # CJK
    "猫の写真", "一只猫的照片", "고양이 사진", "東京タワー", "ﾊﾝｶｸ", "中文，标点。", "【括号】",
    "日本語とEnglishの混合", "漢字123かな", "\uf900\uf901 compatibility ideographs", "\u2f00\u2f01 radicals",
    "𠀀𠀁 extension b", "〜ー々〆",
    # emoji
    "😀", "a 🐱 cat", "👍🏽", "👨‍👩‍👧‍👦 family", "🇯🇵 flag", "❤️", "🔥🔥🔥", "emoji😀attached",
    "☕️ coffee", "1️⃣ keycap", "🧑🏻‍🍳 cooking", "🏳️‍🌈", "😀😃😄😁😆😅🤣😂", "🫠 melting",
    # mixed scripts and case
    "Привет мир", "Москва", "Ελληνικά", "ΣΑΣ", "ΟΔΥΣΣΕΥΣ", "Σίσυφος", "ΑΣ.", "ΌΣΟΣ", "ΜΆΙΟΣ",
    "ﬀ", "Straße", "STRASSE", "ß ẞ", "İstanbul", "ISTANBUL", "ı dotless", "ǅ titlecase", "Ǆ", "ǆ",
    "ᾼ", "ﬆ", "ŉ", "ΐ", "Ꭰ Cherokee", "ꭰ", "𐐀 Deseret", "Ⓐ circled", "ⓐ", "ａｂｃ", "ＡＢＣ",
    "ÀÉÎ", "ÀÉÎÕÜ àéîõü", "Ÿ", "Ĳ", "ǰ", "Ω ω", "Երևան", "ქართული", "ᲥᲐᲠᲗᲣᲚᲘ", "Ⰰ glagolitic",
    "𞤀 adlam", "𐒰 osage", "Ⴀ", "ᏸ", "Ꙋ", "ꞵ", "𖹀 medefaidrin", "𝔸𝕓𝖈 math letters",
    "mixedCASE camelCase", "ПРИВЕТ", "DŽ", "Ǳ", "ǲ", "ＡＢＣ１２３", "ʼn", "ꟲ",
    # odd whitespace
    "  leading", "trailing  ", "  both  ", "a\tb", "a\nb", "a\r\nb", "a\u00a0b", "a\u3000b",
    "a\u2003b", "a\u200bb", "a\u2028b", "a\u2029b", "a\u0085b", "a\u000bb", "a\u000cb", "a\u001cb",
    "\t\n \u00a0\u3000", "a \t \n b", "a\u180eb", "a\u202fb", "a\u205fb", "a\u1680b", "a\ufeffb",
    "   ", "\n", "a\u200db", "a\u00adb", "a\u2060b", "word\u3000\u3000word",
    # special tokens
    "<|endoftext|>", "<|startoftext|>", "a<|endoftext|>b", "<|ENDOFTEXT|>", "<|EndOfText|>>>",
    "<|endoftext|>>>", "!!<|endoftext|>", "<|endoftext|><|startoftext|>", "<|endoftext",
    "endoftext|>", "<|endoftext |>", "a <|startoftext|> b <|endoftext|> c", "＜|endoftext|＞",
    "<|endo\u0301ftext|>", "<<|endoftext|>", "<|<|endoftext|>", "<|endoftext|>s", "'<|endoftext|>'s",
    "e<|endoftext|>\u0301", "<|STARTOFTEXT|>x", "<|startoftext|", "x<|endoftext|>" * 3,
    # controls, odd code points
    "a\x00b", "\x01\x02\x7f", "\x1b[31mred\x1b[0m", "\u0080\u009f", "\ufffd replacement",
    "\ue000 private use", "\uffff\ufffe", "\U0010ffff", "\U000e0001\U000e0041 tags", "\u0378 unassigned",
    "\U0001f900\U0001faff",
    # empty
    "",
]


def long_strings():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
             "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
             "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
             "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat "
             "cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.")
    return [
        lorem,
        "a photo of a cat " * 30,
        "supercalifragilisticexpialidocious" * 20,
        "1234567890" * 50,
        "!?" * 150,
        "日本語のテキストです。" * 20,
        "😀🐱" * 60,
        "The quick brown fox jumps over the lazy dog; " * 12,
        "Ünïcödé ÄÖÜ äöü ß " * 15,
        "a" * 2000,
        "ab" * 700,
        "antidisestablishmentarianism " * 10,
        "e\u0301" * 200,
        "x" + "\u0301\u0316" * 100,
    ]


MARKS = ["\u0301", "\u0316", "\u0334", "\u0345", "\u031b", "\u0321", "\u0338", "\u05b0", "\u0327",
         "\u0328", "\u1dce", "\u0315", "\u035c", "\u035d", "\u0360", "\u0362", "\u302a", "\u093c",
         "\u094d", "\u0e38", "\u0e48", "\u0f71", "\u0f72", "\u0f74", "\u0308", "\u0323", "\u0307",
         "\u0300", "\u0302", "\u0303", "\u030a", "\u0898", "\u1abf", "\u1df9"]
BASES = list("aeiouAEIOUnNcCsSzZ") + ["\u03b1", "\u03c9", "\u0391", "\u0438", "\u05d0", "\u0627",
                                       "\u0915", "\u0e01", "\u1100", "\uac00", "\u0131", "\u0130"]
POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3 +
        list(" \t\n'\"!?.,;:-_()[]{}<>|/\\@#$%^&*+=~`") * 2 +
        ["'s", "'t", "'re", "'ll", "<|", "|>", "<|endoftext|>", "endoftext", "\u00a0", "\u3000",
         "\u2028", "é", "È", "ß", "İ", "ı", "Σ", "ς", "ω", "Ж", "я", "猫", "の", "한", "😀", "👍🏽",
         "\u200d", "\ufe0f", "١", "५", "½", "²", "Ⅻ", "ﬁ", "Ａ", "\u0301", "\u0323", "\u0345",
         "\x00", "\x7f", "\u00ad", "\ufeff"])


def random_strings(rng):
    out = []
    for _ in range(120):
        n = rng.randint(1, 40)
        out.append("".join(rng.choice(POOL) for _ in range(n)))
    for _ in range(60):
        s = []
        for _ in range(rng.randint(1, 6)):
            s.append(rng.choice(BASES))
            s.extend(rng.choice(MARKS) for _ in range(rng.randint(0, 5)))
            if rng.random() < 0.3:
                s.append(" ")
        out.append("".join(s))
    for _ in range(20):  # Hangul jamo soup (L, V, T, U+11A7, syllables)
        s = "".join(rng.choice(["\u1100", "\u1112", "\u1161", "\u1175", "\u11a7", "\u11a8", "\u11c2",
                                "\uac00", "\uac01", "\ud7a3", "\u0301"]) for _ in range(rng.randint(2, 12)))
        out.append(s)
    return out


# ------------------------------------------------------------------ unicode

def utf8proc_ccc():
    lib = ctypes.CDLL("libutf8proc.so.2")
    lib.utf8proc_get_property.restype = ctypes.POINTER(ctypes.c_int16 * 2)
    lib.utf8proc_unicode_version.restype = ctypes.c_char_p
    lib.utf8proc_version.restype = ctypes.c_char_p
    marks = [cp for cp in range(0x110000)
             if not 0xD800 <= cp <= 0xDFFF and lib.utf8proc_get_property(cp).contents[1] != 0]
    return marks, lib.utf8proc_version().decode(), lib.utf8proc_unicode_version().decode()


def unicode_tables(tok, u8p_marks):
    from tokenizers import Regex, pre_tokenizers
    bt = tok.backend_tokenizer
    norm = bt.normalizer
    split = pre_tokenizers.Split(Regex(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""),
                                 behavior="removed", invert=True)
    # The pre-tokeniser in use must be the one probed here.
    pt = json.loads(bt.to_str())["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
    assert pt == r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", pt
    runs, single = [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if len(split.pre_tokenize_str("a" + c + "b")) == 1:
            k = "L"
        elif not split.pre_tokenize_str(c):
            k = "S"
        elif len(split.pre_tokenize_str(c + c)) == 1:
            k = "P"
        else:
            k = "N"
        if runs and runs[-1][2] == k and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp, k])
        n = norm.normalize_str(c)
        if n != c:
            single.append([cp, n.encode().hex()])
    # NFC probes: reordering around every combining mark, composition of
    # every canonical composite from its full decomposition.
    marks = sorted(set(u8p_marks) | {cp for cp in range(0x110000)
                                     if not 0xD800 <= cp <= 0xDFFF and unicodedata.combining(chr(cp))})
    probes = []
    for cp in marks:
        for s in ("x" + chr(cp) + "\u0334", "x\u0301" + chr(cp), "a" + chr(cp) + "\u0323", "e" + chr(cp)):
            probes.append(s)
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and (not 0xAC00 <= cp <= 0xD7A3 or cp % 97 == 0):
            probes.append(unicodedata.normalize("NFD", chr(cp)))
    probes.append("\U00011935\U00011930")  # U+11938 (Unicode 13)
    probes = [[p.encode().hex(), norm.normalize_str(p).encode().hex()] for p in dict.fromkeys(probes)]
    return runs, single, probes


def pkg_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bpe")
    ap.add_argument("--wheel")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()

    import tokenizers
    import transformers
    from transformers import CLIPTokenizer

    gz, gz_from = find_bpe(args)
    vocab, merges = derive(gz)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(args.out, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")

    # Only vocab.json + merges.txt in the folder we load from.
    with tempfile.TemporaryDirectory() as d:
        for name in ("vocab.json", "merges.txt"):
            with open(os.path.join(args.out, name), "rb") as src, open(os.path.join(d, name), "wb") as dst:
                dst.write(src.read())
        tok = CLIPTokenizer.from_pretrained(d)
    assert type(tok).__name__ == "CLIPTokenizer" and tok.is_fast
    ids = tok("a photo of a cat").input_ids
    assert ids == [49406, 320, 1125, 539, 320, 2368, 49407], ids
    for text, want in [("playing sports", [49406, 1629, 2054, 49407]),
                       ("eating spaghetti", [49406, 4371, 18440, 49407]),
                       ("go shopping", [49406, 861, 4266, 49407]),
                       ("what's in the video", [49406, 768, 568, 530, 518, 1455, 49407])]:
        assert tok(text).input_ids == want, text

    rng = random.Random(20240601)
    kinetics = [s.strip() for s in KINETICS.replace("\n", "").split("|")]
    templates = ["a video of a person {}.", "{}", "A PERSON IS {}!", "someone is {}, slowly"]
    texts = HANDPICKED + kinetics[::3] + [t.format(k) for t, k in zip(templates * 40, kinetics[1::7])]
    texts += long_strings() + random_strings(rng)
    texts = list(dict.fromkeys(texts))
    corpus = []
    for t in texts:
        enc = tok(t)
        assert enc.input_ids[0] == 49406 and enc.input_ids[-1] == 49407
        corpus.append({"text": t, "hex": t.encode().hex(), "ids": enc.input_ids})

    batch_specs = [
        (["playing sports", "eating spaghetti", "go shopping"], 77, True),
        (["a photo of a cat", "x", "", "what's in the video"], 77, True),
        (["a photo of a cat " * 30, "short", "日本語のテキストです。" * 20], 77, True),
        (["a b <|endoftext|> c d e", "<|startoftext|>", "plain"], 77, True),
        (["a photo of a cat", "x", ""], 5, True),
        (["a photo of a cat", "hello"], 2, True),
        (["hello", "a photo of a dog"], 10, "max_length"),
        (["supercalifragilisticexpialidocious" * 20], 77, True),
    ]
    batches = []
    for labels, max_len, padding in batch_specs:
        enc = tok(labels, padding=padding, truncation=True, max_length=max_len)
        batches.append({"hex": [s.encode().hex() for s in labels], "max_length": max_len,
                        "padding": "max_length" if padding == "max_length" else "longest",
                        "input_ids": enc.input_ids, "attention_mask": enc.attention_mask})

    u8p_marks, u8p_version, u8p_unicode = utf8proc_ccc()
    runs, single, probes = unicode_tables(tok, u8p_marks)

    golden = {
        "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "python": platform.python_version(),
                     "utf8proc_for_probe_selection": f"{u8p_version} (Unicode {u8p_unicode})",
                     "bpe_source": "/".join(gz_from.split(os.sep)[-2:]),
                     "open_clip_torch": pkg_version("open_clip_torch"),
                     "bpe_sha256": hashlib.sha256(gz).hexdigest()},
        "corpus": corpus,
        "batches": batches,
        "unicode": {"class_runs": runs, "single_norm": single, "nfc_probes": probes},
    }
    with open(os.path.join(args.out, "golden.json"), "w", encoding="ascii") as f:
        json.dump(golden, f, ensure_ascii=True, separators=(",", ":"))
    print(f"{len(corpus)} corpus strings, {len(batches)} batches, {len(runs)} class runs, "
          f"{len(single)} single-character normalisations, {len(probes)} NFC probes → {args.out}")


if __name__ == "__main__":
    main()
