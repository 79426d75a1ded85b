#!/usr/bin/env python3
"""Golden files for the list builders (docs/protocols.md, "Building the IJB-C lists" and
"Sampling image pairs"), written from the documented algorithms with the standard library only
(no numpy, no pandas).

Run:  python3 tools/golden/builders_golden.py
Writes Tests/Fixtures/builders/:

  inputs   enroll_templates.csv, verif_templates.csv, match.csv (a small IJB-C-like protocol),
           present.txt (the aligned images that exist, SUBJECT_ID/FILENAME-with-'_'),
           identities.txt (an aligned folder for the pair sampler: 'folder/file' lines, and
           'folder/' for an empty folder)
  outputs  cleaned_templates.csv
           matches_4_12.csv, matches_100_3.csv, matches_0_0.csv (genuine / impostor quotas)
           pairs_40_prob_0.3.csv (seed 7, no split)
           split/val_pairs_30_prob_0.5.csv, split/test_pairs_30_prob_0.5.csv,
           split/val_identities.txt, split/test_identities.txt (seed 11, val share 0.5)

The Swift tests (StagesTests/ListBuilderGoldenTests) rebuild the outputs from the inputs and
compare them byte for byte. Cross-check done while writing it: the reference's own
`clean_the_templates.py` / `build_the_list.py` (pandas), run beside the project on these inputs,
give the same cleaned_templates.csv and match lists byte for byte.
"""
import os
import shutil
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "Fixtures", "builders")
MASK = (1 << 64) - 1


class SplitMix64:
    """Core's SplitMix64: next(), index(below n) = next() % n, uniform() = (next() >> 11) * 2^-53."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def index(self, n):
        return self.next() % n

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53


# ---------------------------------------------------------------- fixture inputs

def make_protocol():
    """A small IJB-C-like test1 folder: enrol templates 1..8 (template 7 lists two subjects),
    verif templates 101..118, match.csv = every enrol x verif pair in a shuffled order."""
    rng = SplitMix64(2024)
    header = "TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT"
    enroll, verif, present = [header], [header], []
    sighting = 1000

    def rows(lines, tid, subject, n):
        nonlocal sighting
        for _ in range(n):
            sighting += 1
            kind = "img" if rng.index(2) == 0 else "frames"
            name = "%s/%d.%s" % (kind, sighting, "jpg" if kind == "img" else "png")
            lines.append("%d,%d,%s,%d,%d,%d,%d,%d" % (tid, subject, name, sighting, rng.index(300), rng.index(200),
                                                      40 + rng.index(60), 50 + rng.index(60)))
            if rng.uniform() < 0.8:
                present.append("%d/%s" % (subject, name.replace("/", "_")))

    for t in range(1, 9):
        subject = 10 + t
        rows(enroll, t, subject, 1 + rng.index(3))
        if t == 7:
            rows(enroll, t, 12, 1)  # two subjects in one template: the least one counts
    # template 8 has no existing image: its matches are skipped
    present[:] = [p for p in present if not p.startswith("18/")]
    for t in range(101, 119):
        rows(verif, t, 11 + rng.index(8), 1 + rng.index(3))
    pairs = [(e, v) for e in range(1, 9) for v in range(101, 119)]
    for i in range(len(pairs) - 1, 0, -1):
        j = rng.index(i + 1)
        pairs[i], pairs[j] = pairs[j], pairs[i]
    match = ["ENROLL_TEMPLATE_ID,VERIF_TEMPLATE_ID"] + ["%d,%d" % p for p in pairs]
    return enroll, verif, match, present


def make_identities():
    """An aligned folder: 12 identities with 0 to 6 images (names not in creation order)."""
    rng = SplitMix64(99)
    lines = []
    for i in range(12):
        name = "%05d" % (100 + 37 * ((i * 5) % 12))
        k = [0, 1, 2, 6, 3, 4, 5, 2, 6, 3, 1, 4][i]
        if k == 0:
            lines.append(name + "/")
        for _ in range(k):
            kind = "img" if rng.index(2) == 0 else "frames"
            lines.append("%s/%s_%d.png" % (name, kind, rng.index(100000)))
    return sorted(set(lines))


# ---------------------------------------------------------------- builders (the spec)

def read_csv(path):
    with open(path) as f:
        lines = [l.rstrip("\r\n") for l in f]
    lines = [l for l in lines if l.strip()]
    return [l.split(",") for l in lines]


def clean_templates(protocol, image_exists):
    """enroll then verif rows whose SUBJECT_ID/FILENAME('/'->'_') exists, each with its row
    number in its own file (pandas' index), header ',<header>'."""
    out = []
    for name in ["enroll_templates.csv", "verif_templates.csv"]:
        rows = read_csv(os.path.join(protocol, name))
        header, data = rows[0], rows[1:]
        if not out:
            out.append("," + ",".join(header))
        s, f = header.index("SUBJECT_ID"), header.index("FILENAME")
        for i, r in enumerate(data):
            if image_exists(r[s] + "/" + r[f].replace("/", "_")):
                out.append(str(i) + "," + ",".join(r))
    return "".join(l + "\n" for l in out)


def build_list(cleaned, match, pos_num, neg_num):
    rows = read_csv(cleaned)
    t, s = rows[0].index("TEMPLATE_ID"), rows[0].index("SUBJECT_ID")
    subject = {}
    for r in rows[1:]:
        tid, sid = int(r[t]), int(r[s])
        subject[tid] = min(subject.get(tid, sid), sid)
    m = read_csv(match)
    e, v = m[0].index("ENROLL_TEMPLATE_ID"), m[0].index("VERIF_TEMPLATE_ID")
    pos = neg = 0
    out = []
    for r in m[1:]:
        try:
            s1, s2 = subject[int(r[e])], subject[int(r[v])]
        except KeyError:
            continue
        if s1 == s2:
            if pos < pos_num:
                pos += 1
                out.append(",".join(r))
        elif neg < neg_num:
            neg += 1
            out.append(",".join(r))
        if pos == pos_num and neg == neg_num:
            break
    return "".join(l + "\n" for l in out)


def list_identities(root):
    ids = sorted(d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d)))
    return [(d, sorted(f for f in os.listdir(os.path.join(root, d))
                       if not f.startswith(".") and os.path.isfile(os.path.join(root, d, f)))) for d in ids]


def shuffle(rng, a):
    for i in range(len(a) - 1, 0, -1):
        j = rng.index(i + 1)
        a[i], a[j] = a[j], a[i]


def choose(rng, k, n):
    """k distinct indices of range(n) in drawing order (partial Fisher-Yates, dense here)."""
    pool = list(range(n))
    out = []
    for i in range(k):
        j = i + rng.index(n - i)
        pool[i], pool[j] = pool[j], pool[i]
        out.append(pool[i])
    return out


def sample(rng, identities, count, share):
    n_pos, n_neg = int(count * share), int(count * (1 - share))
    lines = []
    order = list(identities)
    shuffle(rng, order)
    mean = n_pos / len(order)
    sampled = 0
    for idx, (name, files) in enumerate(order):
        x = max(0, idx * mean - sampled) + mean
        need = int(x) + int(rng.uniform() < (x % 1))
        pairs = [(a, b) for a in range(len(files)) for b in range(a + 1, len(files))]  # combinations order
        if not pairs:
            continue
        for t in choose(rng, min(need, len(pairs)), len(pairs)):
            a, b = pairs[t]
            lines.append("%s/%s,%s/%s,1" % (name, files[a], name, files[b]))
            sampled += 1
    seen = set()
    n = len(identities)
    while len(seen) < n_neg:
        i = rng.index(n)
        j = rng.index(n - 1)
        if j >= i:
            j += 1
        (ln, lf), (rn, rf) = identities[i], identities[j]
        if not lf or not rf:
            continue
        a, b = rng.index(len(lf)), rng.index(len(rf))
        if (i, a, j, b) in seen:
            continue
        seen.add((i, a, j, b))
        lines.append("%s/%s,%s/%s,0" % (ln, lf[a], rn, rf[b]))
    return "".join(l + "\n" for l in lines)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="\n") as f:
        f.write(text)


def main():
    enroll, verif, match, present = make_protocol()
    write(os.path.join(OUT, "enroll_templates.csv"), "\n".join(enroll) + "\n")
    write(os.path.join(OUT, "verif_templates.csv"), "\n".join(verif) + "\n")
    write(os.path.join(OUT, "match.csv"), "\n".join(match) + "\n")
    write(os.path.join(OUT, "present.txt"), "\n".join(present) + "\n")
    identities = make_identities()
    write(os.path.join(OUT, "identities.txt"), "\n".join(identities) + "\n")

    tmp = tempfile.mkdtemp()
    try:
        images = os.path.join(tmp, "images")
        for p in present:
            os.makedirs(os.path.dirname(os.path.join(images, p)), exist_ok=True)
            open(os.path.join(images, p), "w").close()
        cleaned = clean_templates(OUT, lambda key: os.path.exists(os.path.join(images, key)))
        write(os.path.join(OUT, "cleaned_templates.csv"), cleaned)
        for g, i in [(4, 12), (100, 3), (0, 0)]:
            write(os.path.join(OUT, "matches_%d_%d.csv" % (g, i)),
                  build_list(os.path.join(OUT, "cleaned_templates.csv"), os.path.join(OUT, "match.csv"), g, i))

        aligned = os.path.join(tmp, "aligned")
        for line in identities:
            os.makedirs(os.path.join(aligned, os.path.dirname(line)), exist_ok=True)
            if not line.endswith("/"):
                open(os.path.join(aligned, line), "w").close()
        folders = list_identities(aligned)
        rng = SplitMix64(7)
        write(os.path.join(OUT, "pairs_40_prob_0.3.csv"), sample(rng, folders, 40, 0.3))
        rng = SplitMix64(11)
        ids = list(folders)
        shuffle(rng, ids)
        cut = int(len(ids) * 0.5)
        val, test = ids[:cut], ids[cut:]
        write(os.path.join(OUT, "split", "val_identities.txt"), "".join(n + "\n" for n, _ in val))
        write(os.path.join(OUT, "split", "test_identities.txt"), "".join(n + "\n" for n, _ in test))
        write(os.path.join(OUT, "split", "val_pairs_30_prob_0.5.csv"), sample(rng, val, 30, 0.5))
        write(os.path.join(OUT, "split", "test_pairs_30_prob_0.5.csv"), sample(rng, test, 30, 0.5))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
