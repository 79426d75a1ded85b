#!/usr/bin/env python3
"""Golden file for IJB-A's 10-fold template verification (docs/protocols.md, "IJB-A's 10
splits"), written from the documented protocol with numpy:

* image keys as the reference's `build_subject_dict`: stored `<subject>/<name>` ->
  (int(subject), stem of name with the first '_' -> '/'), matched against (int(SUBJECT_ID),
  FILE without extension);
* templates = consecutive runs of TEMPLATE_ID in file order (a later run of an id replaces an
  earlier one), label = SUBJECT_ID of the run's first row, listed images missing from the
  store dropped, repeats kept;
* comparisons with a template that has no stored image are dropped (the reference would fail);
* `mean` fusion = l2n(mean of the member embeddings), score = cosine (float32, eps 1e-8 on norms);
* per fold ROC as `face_lib/utils/metrics.py`: negatives sorted descending, k = round(FAR *
  negatives) half-even, threshold = k-th negative (or the top negative + 1e-8 for k = 0),
  TAR = mean(score >= threshold | genuine), FAR = the same over impostors;
* every fold targets the requested FARs (the reference fed fold i+1 fold i's achieved FARs);
  across folds: mean TAR, population std of TAR, mean FAR.

Run:  $(SCALEFACE_PYENV=/work/pyenv tools/pyenv.sh numpy) tools/golden/ijba_folds_golden.py
Writes Tests/Fixtures/ijba/: paths.txt, embeddings.npy, confidence.npy (an embedding store's
inputs), IJB-A_11_sets/split{1..10}/{train,verify_metadata,verify_comparisons}_k.csv and
expected.json. Cross-check done while writing it: the reference's `IJBATest` template building
and `metrics.ROC`, run beside the project on these files (fixed FARs, empty templates' pairs
dropped), give the same per-fold TARs.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "ijba")
FARS = [0.01, 0.1]
HEADER = "TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,SIGHTING_ID,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT"


def make_data(rs):
    """30 subjects with 4-7 images each, embeddings around a subject centre (dimension 8)."""
    paths, emb, files = [], [], {}
    for s in range(1, 31):
        centre = rs.normal(size=8)
        files[s] = []
        for i in range(rs.randint(4, 8)):
            kind = "img" if rs.randint(2) == 0 else "frame"
            n = 1000 * s + i
            paths.append("%d/%s_%d.png" % (s, kind, n))      # aligned crops as PNG
            files[s].append("%s/%d.jpg" % (kind, n))          # IJB-A's FILE, a JPEG
            emb.append(centre + 1.1 * rs.normal(size=8))
    return paths, np.array(emb, dtype=np.float32), files


def make_folds(rs, files):
    """Per subject 2-3 templates of 1-3 of its files; fold k: 10 test subjects, the rest train.
    Quirks covered: a listed file missing from the store, a template with no stored file, and
    a template id whose rows come in two runs (the second replaces the first)."""
    folds = []
    for k in range(1, 11):
        order = rs.permutation(np.arange(1, 31))
        test, train = sorted(order[:10].tolist()), sorted(order[10:].tolist())
        tid = 100 * k
        templates = {"test": [], "train": []}
        for part, subjects in (("test", test), ("train", train)):
            for s in subjects:
                for _ in range(rs.randint(2, 4)):
                    tid += 1
                    n = rs.randint(1, 4)
                    chosen = [files[s][j] for j in rs.choice(len(files[s]), size=n, replace=False)]
                    templates[part].append((tid, s, chosen))
        t = templates["test"]
        t[0] = (t[0][0], t[0][1], t[0][2] + ["img/99999.jpg"])        # not in the store
        t[1] = (t[1][0], t[1][1], ["img/88888.jpg"])                  # no stored image at all
        rows = []
        for tid, s, chosen in t:
            rows += [(tid, s, f) for f in chosen]
        again = t[2]
        rows.append((again[0], again[1], again[2][0]))               # a second run of t[2]'s id
        ids = [x[0] for x in t]
        pairs = [(ids[a], ids[b]) for a in range(len(ids)) for b in range(a + 1, len(ids))]
        folds.append((k, rows, [(tid, s, f) for tid, s, ch in templates["train"] for f in ch], pairs))
    return folds


def csv_rows(rows):
    out = [HEADER]
    for tid, s, f in rows:
        out.append("%d,%d,%s,%d,%d,,%d,%d,%d,%d" % (tid, s, f, tid * 10, tid * 10 + 1, 5, 6, 70, 80))
    return "\n".join(out) + "\n"


def subject_dict(paths):
    d = {}
    for i, p in enumerate(paths):
        folder, name = p.split("/")[-2:]
        d.setdefault(int(folder), {})[os.path.splitext(name)[0].replace("_", "/", 1)] = i
    return d


def build_templates(sd, text):
    templates, current = [], None
    for line in text.splitlines()[1:]:
        tid, sid, image, media = line.split(",")[0:4]
        tid, sid = int(tid), int(sid)
        image = os.path.splitext(image)[0]
        index = sd.get(sid, {}).get(image)
        if current is None or current["id"] != tid:
            current = {"id": tid, "label": sid, "indices": []}
            templates.append(current)
        if index is not None:
            current["indices"].append(index)
    return {t["id"]: t for t in templates}


def l2n(x, axis=None):
    return x / (np.float32(1e-8) + np.linalg.norm(x, axis=axis, keepdims=axis is not None))


def roc(score, label, fars):
    neg = np.sort(score[~label])[::-1]
    k = np.round(len(neg) * np.array(fars)).astype(np.int32)
    tars, reached, thresholds = [], [], []
    for n in k:
        thr = neg[0] + 1e-8 if n == 0 else neg[n - 1]
        accept = score >= thr
        tars.append(float(np.mean(accept[label])))
        reached.append(float(np.mean(accept[~label])))
        thresholds.append(float(thr))
    return tars, reached, thresholds


def main():
    rs = np.random.RandomState(5)
    paths, emb, files = make_data(rs)
    conf = rs.uniform(0.5, 2.0, size=len(paths)).astype(np.float32)
    folds = make_folds(rs, files)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "paths.txt"), "w") as f:
        f.write("".join(p + "\n" for p in paths))
    np.save(os.path.join(OUT, "embeddings.npy"), emb)
    np.save(os.path.join(OUT, "confidence.npy"), conf)
    sd = subject_dict(paths)

    tar, far, thr, pairs_n, pos_n = [], [], [], [], []
    for k, rows, train, pairs in folds:
        split = os.path.join(OUT, "IJB-A_11_sets", "split%d" % k)
        os.makedirs(split, exist_ok=True)
        meta = csv_rows(rows)
        for name, text in (("train_%d.csv" % k, csv_rows(train)), ("verify_metadata_%d.csv" % k, meta),
                           ("verify_comparisons_%d.csv" % k, "".join("%d,%d\n" % p for p in pairs))):
            with open(os.path.join(split, name), "w") as f:
                f.write(text)
        templates = build_templates(sd, meta)
        feature = {t: l2n(np.mean(emb[v["indices"]], axis=0)) for t, v in templates.items() if v["indices"]}
        kept = [(a, b) for a, b in pairs if a in feature and b in feature]
        f1 = np.stack([feature[a] for a, _ in kept])
        f2 = np.stack([feature[b] for _, b in kept])
        score = np.sum(l2n(f1, axis=1) * l2n(f2, axis=1), axis=1).astype(np.float64)
        label = np.array([templates[a]["label"] == templates[b]["label"] for a, b in kept])
        t, r, h = roc(score, label, FARS)
        tar.append(t); far.append(r); thr.append(h)
        pairs_n.append(len(kept)); pos_n.append(int(label.sum()))
    tar, far = np.array(tar), np.array(far)
    expected = {
        "metric": "mean_cosine", "fars": FARS, "pairs": pairs_n, "positives": pos_n,
        "tar": tar.T.tolist(), "far": far.T.tolist(), "threshold": np.array(thr).T.tolist(),
        "tar_mean": np.mean(tar, axis=0).tolist(), "tar_std": np.std(tar, axis=0).tolist(),
        "far_mean": np.mean(far, axis=0).tolist(),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
