"""Why Paste Deploy refused a config, in one line, and with no secret in
it: the step-04 twin's errors, at start-up and on SIGHUP, and -print's.
Paste Deploy runs as it is; its exception is worded here afterwards, from
the exception and from the config files, read again."""
import configparser
import json
import os
import re
import urllib.parse


class ConfigError(Exception):
    """A config Paste Deploy refuses: its message, one line."""


def describe(err, path):
    """The one line that says why Paste Deploy refused the config at path.
    ConfigParser's errors get their FILE:LINE; an interpolation error is
    worded here, as Python's own shows the raw value, which may be a
    secret."""
    if isinstance(err, OSError) and err.strerror:
        if not err.filename or os.path.abspath(err.filename) == os.path.abspath(path):
            return f"open {path}: {err.strerror}"  # the -config file: no secret named it
        return f"open {scrub(os.path.relpath(err.filename), path)}: {err.strerror}"
    if isinstance(err, configparser.MissingSectionHeaderError):
        return f"{path}:{err.lineno}: no [section] header before {err.line.strip()!r}"
    if isinstance(err, configparser.ParsingError):
        return f"{path}:{err.errors[0][0]}: not a key = value, a [section] or a comment"
    if isinstance(err, configparser.DuplicateSectionError):
        return f"{path}:{err.lineno}: [{err.section}] again"
    if isinstance(err, configparser.DuplicateOptionError):
        return f"{path}:{err.lineno}: {err.option!r} again in [{err.section}]"
    if isinstance(err, configparser.InterpolationError):
        return interpolation_error(err, path)
    if isinstance(err, UnicodeDecodeError):  # its message quotes no text of the file
        return f"{path}: {type(err).__name__}: {err}"
    if isinstance(err, RecursionError):
        return f"{path}: {type(err).__name__}: Paste Deploy followed a reference cycle"
    message = str(err).replace(os.path.dirname(os.path.abspath(path)) + os.sep, "")
    return f"{path}: {type(err).__name__}: {scrub(message, path)}"


def scrub(message, path):
    """message, with every secret of the config taken out: the values, raw
    and interpolated, of the keys that look secret, in each file Paste
    Deploy reads (a config: URI names more), and as its errors quote them
    (repr, or URL-decoded in a config: path). A name that a get key or a
    urlmap mount gives is not taken for a secret: where a secret went into
    it, it is taken out as that secret. If the config cannot be read
    again, nothing of the message is shown."""
    parsers = read_configs(path).values()
    if not parsers:
        return "not shown: the config could not be read again to take its secrets out"
    secrets = set()
    for parser in parsers:
        for section in [parser.default_section, *parser.sections()]:
            for key in parser[section]:
                if not looks_secret(key) or key.startswith(("get ", "/", "domain ")):
                    continue
                secrets |= set(values(parser, section, key))
    quoted = set()
    for secret in filter(None, secrets):
        quoted |= {secret, repr(secret)[1:-1], urllib.parse.unquote(secret)}
    for secret in sorted(filter(None, quoted), key=len, reverse=True):
        message = message.replace(secret, "<hidden>")
    return message


def read_configs(path):
    """The config at path, and every file its config: URIs name, read again
    as Paste Deploy's loaders read them: keys keep their case, here and
    __file__ are set, and a file named by a config: URI has the [DEFAULT]
    of the file that names it, below its own. {absolute path: parser}; a
    file that cannot be read is left out."""
    parsers, todo = {}, [(os.path.abspath(path), {})]
    while todo:
        file, inherited = todo.pop(0)
        if file in parsers:
            continue
        parser = configparser.ConfigParser(defaults={
            **inherited, "here": os.path.dirname(file), "__file__": file}, strict=False)
        parser.optionxform = str
        try:
            with open(file, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue
        parsers[file] = parser
        defaults = {key: value for key in parser.defaults()
                    for value in values(parser, parser.default_section, key)[-1:]}
        for section in parser.sections():
            for key in parser[section]:
                for value in values(parser, section, key):
                    for uri in re.findall(r"(?i)(?:^|\s)config:([^#\s]+)", value):
                        todo.append((config_path(uri, file), defaults))
    return parsers


def config_path(uri, file):
    """The file a config: URI names, from file, as Paste Deploy finds it."""
    uri = uri.replace("\\", "/")
    if not os.path.isabs(uri):
        uri = os.path.dirname(file) + "/" + uri
    if uri.startswith("///"):
        uri = uri[2:]
    return os.path.abspath(urllib.parse.unquote(uri))


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
    """An interpolation error, at its option's line, without its value:
    inside a secret, none of the secret's text, as the Go step says it.
    The twin hides more than the Go step: any mistake in a value that
    takes in a secret, where Go hides only one inside the secret."""
    line = option_line(path, err.section, err.option)
    where = f"{path}:{line}" if line else path
    secret = touches_secret(path, err.section, err.option)
    if isinstance(err, configparser.InterpolationMissingOptionError):
        what = ("%(...)s in <hidden>" if secret else f"%({err.reference})s") + \
            ": no such key here or in [DEFAULT]"
    elif isinstance(err, configparser.InterpolationDepthError):
        what = "%(...)s nests more than 10 deep: is a value referring to itself?"
    else:  # InterpolationSyntaxError, which quotes the rest of the value
        rest = str(err).rpartition(": ")[2].strip("'\"")
        shown = "<hidden>" if secret else json.dumps(rest)
        if "bad interpolation variable reference" in str(err):
            what = f"bad %(name)s reference in {shown}"
        else:
            what = f"a lone % in {shown}: write %% for a percent sign"
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


SECRET_STEMS = ("token", "password", "passwd", "secret", "key", "credential")


def looks_secret(name):
    """As the Go step's looksSecret: a word of the lowercased name, less
    one trailing s, ends in token, password, passwd, secret, key or
    credential."""
    for word in re.split(r"[^0-9a-z]+", name.lower(), flags=re.ASCII) if name.isascii() else \
            re.split(r"[\W_]+", name.lower()):
        word = word[:-1] if word.endswith("s") else word
        if word and word.endswith(SECRET_STEMS):
            return True
    return False
