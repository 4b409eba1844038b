"""Checks the hand-written documentation against the repository and the tools it describes.

For every Markdown file under docs/, modules/ and examples/:
  - each HCL snippet (```hcl, ```terraform, ```tf) is formatted as `tofu fmt` formats it; a snippet
    with a `terraform {}` block is a whole configuration and must also pass `tofu init` and
    `tofu validate` (modules/ beside it as in the repository; files it reads made empty);
  - each shell snippet (```bash, ```sh, ```shell) parses with `bash -n`;
  - each relative link resolves to a file or folder of the repository.
Every variable and output of a module appears in its README's tables.

usage: check_docs.py SOURCE_DIR TOFU SCRATCH_DIR   (TF_CLI_CONFIG_FILE must install the provider)
Prints one line per check; exits 1 when any failed.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

source = pathlib.Path(sys.argv[1]).resolve()
tofu = sys.argv[2]
scratch = pathlib.Path(sys.argv[3])
failures = []
counts = {"hcl": 0, "validated": 0, "shell": 0, "links": 0, "tables": 0}

FENCE = re.compile(r"^```([A-Za-z0-9_-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")


def fail(where, what, detail=""):
    failures.append(where)
    print(f"FAIL: {where}: {what}")
    if detail:
        print("\n".join("    " + line for line in detail.strip().splitlines()[-25:]))


def run(arguments, cwd, env=None):
    result = subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def markdown_files():
    files = []
    for top in ("docs", "modules", "examples"):
        files += sorted((source / top).rglob("*.md"))
    return [f for f in files if ".terraform" not in f.parts]


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check_hcl(where, snippet, number):
    counts["hcl"] += 1
    folder = scratch / f"hcl-{number}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(snippet)
    status, output = run([tofu, "fmt", "-check", "-diff", "-no-color", "main.tf"], folder)
    if status != 0:
        fail(where, "HCL snippet is not formatted as `tofu fmt` formats it (or does not parse)", output)
        return
    if not re.search(r"^terraform\s*\{", snippet, re.M):
        print(f"ok: {where}: HCL snippet is formatted")
        return
    # A whole configuration: give it modules/ and the files it reads, then init and validate.
    shutil.copytree(source / "modules", folder / "modules",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    home = folder / "home"
    home.mkdir()
    for name in re.findall(r'file\("([^"$]+)"\)', snippet):
        path = home / name[2:] if name.startswith("~/") else folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("placeholder\n")
    env = dict(os.environ, HOME=str(home))
    status, output = run([tofu, "init", "-input=false", "-no-color", "-backend=false"], folder, env)
    if status != 0:
        fail(where, "`tofu init` of the HCL snippet fails", output)
        return
    status, output = run([tofu, "validate", "-no-color"], folder, env)
    if status != 0:
        fail(where, "`tofu validate` of the HCL snippet fails", output)
        return
    counts["validated"] += 1
    print(f"ok: {where}: HCL snippet is formatted and validates")


def check_shell(where, snippet):
    counts["shell"] += 1
    status, output = run(["bash", "-n", "-c", snippet], scratch)
    if status != 0:
        fail(where, "shell snippet does not parse (bash -n)", output)
    else:
        print(f"ok: {where}: shell snippet parses")


def check_links(path, text):
    for match in LINK.finditer(text):
        target = match.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        counts["links"] += 1
        where = f"{path.relative_to(source)}:{line_of(text, match.start())}"
        file_part = target.split("#", 1)[0]
        resolved = (path.parent / file_part).resolve()
        if not resolved.exists():
            fail(where, f"link target {target} does not exist")
        elif source not in resolved.parents and resolved != source:
            fail(where, f"link target {target} leaves the repository")
        else:
            print(f"ok: {where}: link {target} resolves")


def check_module_tables(module):
    readme = (module / "README.md").read_text()
    for kind, file in (("variable", "variables.tf"), ("output", "outputs.tf")):
        for name in re.findall(rf'^{kind} "([^"]+)"', (module / file).read_text(), re.M):
            counts["tables"] += 1
            where = f"{(module / 'README.md').relative_to(source)}"
            if not re.search(rf"^\| `{re.escape(name)}` \|", readme, re.M):
                fail(where, f"the {kind} {name} is not in the README's tables")
            else:
                print(f"ok: {where}: the {kind} {name} is documented")


scratch.mkdir(parents=True, exist_ok=True)
number = 0
for path in markdown_files():
    text = path.read_text()
    for match in FENCE.finditer(text):
        language, snippet = match.group(1).lower(), match.group(2)
        where = f"{path.relative_to(source)}:{line_of(text, match.start())}"
        number += 1
        if language in ("hcl", "terraform", "tf"):
            check_hcl(where, snippet, number)
        elif language in ("bash", "sh", "shell"):
            check_shell(where, snippet)
    check_links(path, text)
for module in sorted((source / "modules").iterdir()):
    if (module / "variables.tf").exists():
        check_module_tables(module)

print("checked: " + ", ".join(f"{key}={value}" for key, value in counts.items()))
if counts["hcl"] == 0 or counts["shell"] == 0 or counts["links"] == 0:
    fail("docs", "found no snippets or links at all: the extraction is broken")
sys.exit(1 if failures else 0)
