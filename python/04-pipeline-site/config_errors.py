"""Why Paste Deploy refused a config, in one line, and with no secret in
it: the step-04 twin's errors, at start-up and on SIGHUP, and -print's.
Paste Deploy runs as it is; its exception is worded here afterwards, from
the exception and from the config files, read again."""
import configparser
import os
import re
import urllib.parse


class ConfigError(Exception):
    """A config Paste Deploy refuses: its message, one line."""


def describe(err, path):
    """The one line that says why Paste Deploy refused the config at path.
    ConfigParser's errors get their FILE:LINE; an interpolation error is
    worded here, as Python's own shows the raw value, which may be a
    secret. Where the wording fails, or the secrets cannot all be found
    (a file a config: URI names cannot be read again), no text of the
    error is shown: only the file and the exception's type."""
    try:
        return word(err, path)
    except Exception:
        return hidden(err, path)


def hidden(err, path):
    """The line for an error whose text cannot be shown."""
    return (f"{path}: {type(err).__name__}: not shown: the config's secrets "
            "could not all be found, or not taken out, to show it")


class Unscrubbable(Exception):
    """The secrets of a config cannot all be found."""


def word(err, path):
    """describe's line, raising where it cannot be sure it shows no secret."""
    if isinstance(err, OSError) and err.strerror:
        if not err.filename or os.path.abspath(err.filename) == os.path.abspath(path):
            return f"open {path}: {err.strerror}"  # the -config file: no secret named it
        return f"open {scrub(os.path.relpath(err.filename), path, err.filename)}: {err.strerror}"
    # configparser's own errors name the file they are in, which a config:
    # URI may have named: shown as the Go step shows it, the config's
    # folder as given, joined with the path from there.
    file, source = path, getattr(err, "source", None)
    if source and source != "<???>" and os.path.abspath(source) != os.path.abspath(path):
        folder = os.path.dirname(path)
        file = shown_file(os.path.normpath(os.path.join(folder, os.path.relpath(
            source, os.path.dirname(os.path.abspath(path))))), path_secrets(path))
    if isinstance(err, configparser.MissingSectionHeaderError):
        return f"{file}:{err.lineno}: a line outside any section: start one with [type:name]"
    if isinstance(err, configparser.ParsingError):
        return f"{file}:{err.errors[0][0]}: not a key = value, a [section] or a comment"
    if isinstance(err, configparser.DuplicateSectionError):
        return f"{file}:{err.lineno}: [{err.section}] again"
    if isinstance(err, configparser.DuplicateOptionError):
        return f"{file}:{err.lineno}: {err.option!r} again in [{err.section}]"
    if isinstance(err, configparser.InterpolationError):
        return interpolation_error(err, path)
    if isinstance(err, UnicodeDecodeError):  # its message quotes no text of the file
        return f"{path}: {type(err).__name__}: {err}"
    if isinstance(err, RecursionError):
        return f"{path}: {type(err).__name__}: Paste Deploy followed a reference cycle"
    if not raised_by_loader(err):
        return f"{path}: {type(err).__name__}: its message is not shown: it may quote a value"
    message = str(err).replace(os.path.dirname(os.path.abspath(path)) + os.sep, "")
    return f"{path}: {type(err).__name__}: {scrub(message, path)}"


def raised_by_loader(err):
    """Whether err's message names only sections, keys, modules and entry
    points: whether the innermost frame that raised it is Paste Deploy's or
    Paste's, the import machinery's, or the twin's own (its factories'
    OptionError and TypeError), and not a factory the config named, called
    from paste.deploy.util's fix_call. Such a factory's error may quote the
    options it was given, as ipaddress:ip_network's ValueError does, or
    codecs:decode's LookupError, raised in C right under fix_call."""
    import paste  # Paste Deploy and Paste both install into it
    tb = err.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    loader = (os.path.dirname(configparser.__file__) + os.sep + "importlib" + os.sep,
              os.path.dirname(os.path.abspath(__file__)) + os.sep, "<frozen ",
              *(folder + os.sep for folder in paste.__path__))
    return code.co_filename.startswith(loader) and code.co_name != "fix_call"


def shown_file(name, secrets):
    """The name of a file a config: URI named, as an error and -print show
    it: <hidden> if one of secrets (path_secrets) went into it in any form
    (raw, interpolated, URL-decoded, its path normalised), or if secrets
    is None, and otherwise with any URL's password hidden."""
    if secrets is None or any(s in name or os.path.normpath(s) in name for s in secrets):
        return "<hidden>"
    return hide_url_passwords(name)


def path_secrets(path):
    """The secret_forms of the config at path and the files it names, for
    shown_file; None if the config cannot be read again."""
    parsers, _ = read_all(path)
    return secret_forms(parsers) if parsers else None


def secret_forms(parsers):
    """The secrets of the parsed configs, as an error may quote them: the
    values, raw and interpolated, of the keys that look secret, their
    repr, and URL-decoded (as in a config: path). A name that a get key
    or a urlmap mount gives is not taken for a secret."""
    secrets = set()
    for parser in parsers.values():
        for section in [parser.default_section, *parser.sections()]:
            for key in parser[section]:
                if not looks_secret(key) or key.startswith(("get ", "/", "domain ")):
                    continue
                secrets |= set(values(parser, section, key))
    quoted = set()
    for secret in filter(None, secrets):
        quoted |= {secret, repr(secret)[1:-1], urllib.parse.unquote(secret)}
    return set(filter(None, quoted))


def scrub(message, path, unopened=None):
    """message, with every secret of the config taken out (secret_forms),
    in each file Paste Deploy reads (a config: URI names more). Where a
    secret went into a name, it is taken out as that secret. If the
    config, or a file a config: URI names (but unopened, the one Paste
    Deploy itself could not open), cannot be read again, or a secret under
    four characters is in message (taken out letter by letter, it would
    spell itself), it raises Unscrubbable."""
    parsers, unread = read_all(path)
    unread.discard(None if unopened is None else os.path.abspath(unopened.strip()))
    if not parsers or unread:
        raise Unscrubbable(path)
    quoted = secret_forms(parsers)
    if any(len(secret) < 4 and secret in message for secret in quoted):
        raise Unscrubbable(path)
    for secret in sorted(quoted, key=len, reverse=True):
        message = message.replace(secret, "<hidden>")
    return hide_url_passwords(message)


def read_configs(path):
    """The config at path, and every file its config: URIs name, read again
    as Paste Deploy's loaders read them: {(absolute path, the global conf
    it was given): parser}; a file that cannot be read is left out."""
    return read_all(path)[0]


# How many (file, global conf) pairs, and callers' paths to a section,
# read_all follows before it gives up, the secrets not all found.
MAX_FILES = 200
MAX_PATHS = 10000


def read_all(path):
    """read_configs' parsers, and the absolute paths of the files a config:
    URI names that could not be read or parsed. Each file is read as
    ConfigLoader reads it: keys keep their case, here and __file__ are its
    own, and below its own [DEFAULT] are the keys of the global conf its
    caller passes: the caller's [DEFAULT] (with what its own caller
    passed over it) and the set keys of the section that names the URI,
    and of the sections of that file that lead to it. A URI is read as
    loadcontext reads it: the scheme up to the first colon, what follows
    it, to a #, the path. Where there are too many to follow, the config
    itself is counted unread."""
    root = os.path.abspath(path)
    parsers, unread = {}, set()
    todo = [(root, {}, True)]
    while todo:
        file, inherited, strict = todo.pop(0)
        key = (os.path.abspath(file), frozenset(inherited.items()))
        if key in parsers:
            continue
        if len(parsers) >= MAX_FILES:
            unread.add(root)
            break
        parser = configparser.ConfigParser(defaults={
            "here": os.path.dirname(os.path.abspath(file)),
            "__file__": os.path.abspath(file)}, strict=False)
        parser.optionxform = str
        try:
            with open(file, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, configparser.Error, UnicodeDecodeError):
            if strict:
                unread.add(os.path.abspath(file))
            continue
        for name, value in inherited.items():  # as update_defaults(overwrite=False)
            parser._defaults.setdefault(name, value)
        parsers[key] = parser
        base = {key: value for key in parser.defaults()
                for value in values(parser, parser.default_section, key)[-1:]}
        base.update(inherited)
        try:
            for section, uri, strict_uri, conf in config_uris(parser, base):
                todo.append((config_path(uri, file), conf, strict and strict_uri))
        except Unscrubbable:
            unread.add(root)
    return parsers, unread


def config_uris(parser, base):
    """(section, uri, whether Paste Deploy loads it, global conf passed)
    for each config: URI in the file parser read: a whole value, or a word
    of one; the conf, base with the set keys of each section on a path of
    references to the section, as get_context passes it on."""
    found = []
    for section in parser.sections():
        kind = section.split(":", 1)[0]
        for key in parser[section]:
            raw = parser.get(section, key, raw=True)
            for n, value in enumerate(values(parser, section, key)):
                loaded = n == 1 or "%" not in raw  # the value Paste Deploy reads
                whole = loaded and (key in ("use", "next", "filter-with") or
                                    kind in ("composite", "composit"))
                if is_config_uri(value):
                    found.append((section, value, whole))
                for word in value.split():
                    if word != value and is_config_uri(word):
                        found.append((section, word, loaded and key == "pipeline"))
    if not found:
        return []
    refs = references(parser)
    out = []
    for section, uri, strict_uri in found:
        for conf in confs(parser, section, base, refs):
            out.append((section, uri, strict_uri, conf))
    return out


def is_config_uri(name):
    """Whether Paste Deploy takes name for a config: URI (absolute_name,
    and loadcontext's scheme, lowercased)."""
    return re.match(r"[a-zA-Z]+:", name) is not None and \
        name.split(":", 1)[0].lower() == "config"


def set_keys(parser, section):
    """The global conf a section's set keys add."""
    return {key[4:].strip(): values(parser, section, key)[-1]
            for key in parser[section] if key.startswith("set ")}


def references(parser):
    """{section: the sections of the same file that may name it}: by use,
    next, filter-with, a pipeline's words, or any value or word of one."""
    by_name = {}
    for section in parser.sections():
        by_name.setdefault(section.split(":", 1)[-1].strip(), []).append(section)
    refs = {}
    for section in parser.sections():
        for key in parser[section]:
            for value in values(parser, section, key):
                for name in {value.strip(), *value.split()}:
                    for target in by_name.get(name, []):
                        refs.setdefault(target, set()).add(section)
    return refs


def confs(parser, section, base, refs):
    """The global confs section may pass on: base, then the set keys of
    the sections on each path of references to it, the nearest last."""
    start = set_keys(parser, section)
    seen, result, todo = set(), [], [(section, start)]
    while todo:
        current, acc = todo.pop()
        state = (current, frozenset(acc.items()))
        if state in seen:
            continue
        if len(seen) >= MAX_PATHS:
            raise Unscrubbable(section)
        seen.add(state)
        conf = {**base, **acc}
        if conf not in result:
            result.append(conf)
        for referrer in refs.get(current, ()):
            todo.append((referrer, {**set_keys(parser, referrer), **acc}))
    return result


def config_path(uri, file):
    """The file a config: URI names, from file, as loadcontext, _loadconfig
    and ConfigLoader find it: the path is what follows the first colon, up
    to a #, spaces and all; a relative one is joined to file's folder; the
    whole is URL-decoded, then stripped."""
    path = uri.split("#", 1)[0].split(":", 1)[1]
    isabs = os.path.isabs(path)
    path = path.replace("\\", "/")
    if not isabs:
        folder = os.path.dirname(file).replace("\\", "/")
        path = folder + ("" if folder.endswith("/") else "/") + path
    if path.startswith("///"):
        path = path[2:]
    return urllib.parse.unquote(path).strip()


def values(parser, section, key):
    """The raw value of key in section, and its interpolated one, where it
    has one."""
    found = [parser.get(section, key, raw=True)]
    try:
        found.append(parser.get(section, key))
    except Exception:  # a value Paste itself could not read
        pass
    return found


def interpolation_error(err, path):
    """An interpolation error, at its option's line, without its value,
    as the Go step says it; inside a secret, not even the name a %(name)s
    refers to. The twin hides more than the Go step: the name in any
    mistake in a value that takes in a secret, where Go hides only one
    inside the secret."""
    line = option_line(path, err.section, err.option)
    where = f"{path}:{line}" if line else path
    secret = touches_secret(path, err.section, err.option)
    if isinstance(err, configparser.InterpolationMissingOptionError):
        what = ("%(...)s in <hidden>" if secret else f"%({err.reference})s") + \
            ": no such key here or in [DEFAULT]"
    elif isinstance(err, configparser.InterpolationDepthError):
        what = "%(...)s nests more than 10 deep: is a value referring to itself?"
    elif "bad interpolation variable reference" in str(err):
        what = "a %( that does not end in )s: write %(name)s, or %% for a percent sign"
    else:  # InterpolationSyntaxError, whose message quotes the value: not shown
        what = "a lone %: write %% for a percent sign"
    return f"{where}: [{err.section}] {err.option}: {what}"


def read_raw(path):
    """The config at path, read again without interpolation, to look into
    it: keys keep their case, and a repeated one is no error; None if it
    cannot be read."""
    here = os.path.dirname(os.path.abspath(path))
    parser = configparser.RawConfigParser(
        defaults={"here": here, "__file__": os.path.abspath(path)}, strict=False)
    parser.optionxform = str
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    return parser


def touches_secret(path, section, option):
    """Whether option, or a key its %(name)s references reach, has a name
    that looks secret; where the file cannot be read again, or option is
    not in it (a config: URI's caller set it), it may."""
    raw = read_raw(path)
    if raw is None:
        return True
    seen, todo = set(), [option]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if looks_secret(name):
            return True
        try:
            todo += re.findall(r"%\(([^)]*)\)s", raw.get(section, name))
        except configparser.Error:
            if name == option:
                return True
    return False


def option_line(path, section, key):
    """The line where section's option key starts, in the file at path."""
    current = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            text = line.strip()
            if text.startswith("[") and "]" in text:
                current = text[1:text.rindex("]")]
            elif current == section and re.match(r"\s*" + re.escape(key) + r"\s*[=:]", line):
                return number
    return None


# As the Go step's secretStems, secretEnds and secretWhole: what the names of
# oslo.config's secret=True options say (docs/paste-deploy.md).
SECRET_STEMS = ("token", "password", "passwd", "pwd", "passphrase", "passcode",
                "secret", "key", "credential")
SECRET_ENDS = (("connection",), ("transport", "url"), ("backend", "argument"))
SECRET_WHOLE = ("code",)


def looks_secret(name):
    """As the Go step's looksSecret: a word of the lowercased name, less
    one trailing s, ends in a stem of SECRET_STEMS, its last words are
    those of SECRET_ENDS, or it is a word of SECRET_WHOLE (set or not)."""
    # Go's split: at what is not a letter (isalpha) or a decimal digit
    # (isdecimal), each character lowercased to one, as Go's ToLower.
    words, word = [], ""
    for c in name + " ":
        if c.isalpha() or c.isdecimal():
            word += c.lower()[:1]
        elif word:
            words.append(word)
            word = ""
    for word in words:
        word = word[:-1] if word.endswith("s") else word
        if word and word.endswith(SECRET_STEMS):
            return True
    if any(tuple(words[-len(last):]) == last for last in SECRET_ENDS
           if len(words) >= len(last)):
        return True
    return words[-1:] != [] and words[-1] in SECRET_WHOLE and words[:-1] in ([], ["set"])


def hide_url_passwords(text):
    """As the Go step's hideURLPasswords: after each :/ or ://, the text
    up to the last @ before a space is the URL's user:password, and what
    follows its first colon is hidden."""
    out = []
    while (i := text.find(":/")) >= 0:
        i += 3 if text.startswith("/", i + 2) else 2
        out.append(text[:i])
        text = text[i:]
        end = next((j for j, c in enumerate(text) if c.isspace()), len(text))
        at = text.rfind("@", 0, end)
        colon = text.find(":", 0, max(at, 0))
        if colon < 0:
            continue
        out.append(text[:colon + 1] + "<hidden>")
        text = text[at:]
    return "".join(out) + text
