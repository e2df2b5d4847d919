// Reading and comparing answers in the browser by the rules of examgen's grader
// (generator/answers/: types.py, arithmetic.py, expressions.py), with the grader's messages.
// The answer form reads what a student types with readAnswer (never with a key); the
// self-check page also compares with its keys (check). tests/data/answer_cases.json holds the
// cases both this script and the Python parsers are tested against.
//
// Numbers are floats here, where the grader is exact: the two can differ only for an answer
// within a rounding error of a tolerance's edge, or past 15 significant digits.
"use strict";

class Unreadable extends Error {}

const cut = (text, most) => [...text].slice(0, most).join("");
const strip = (text) => text.replace(/^\s+|\s+$/gu, "");
// a string as Python's repr writes it, as the grader's messages quote a character
const pyrepr = (text) => (text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replaceAll("'", "\\'")}'`);

// ---- arithmetic (arithmetic.py): counts such as 10x1x5x5 + 10 ----------------------------

const MAX_LENGTH = 200, MAX_DIGITS = 40, MAX_EXPONENT = 64, MAX_DEPTH = 30;
const ARITHMETIC_TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(\*\*|[-+*/^()xX×·÷−–]))/y;
const CANONICAL = { x: "*", X: "*", "×": "*", "·": "*", "÷": "/", "−": "-", "–": "-", "^": "**" };

function arithmeticTokens(text) {
  const tokens = [];
  text = text.replace(/\s+$/u, "");
  let position = 0;
  while (position < text.length) {
    ARITHMETIC_TOKEN.lastIndex = position;
    const match = ARITHMETIC_TOKEN.exec(text);
    if (!match) {
      const rest = text.slice(position).replace(/^\s+/u, "");
      const word = /^[A-Za-z_]+/.exec(rest);
      const shown = word ? word[0] : [...rest][0];
      const column = [...text].length - [...rest].length + 1;
      throw new Unreadable(`unexpected ${pyrepr(shown)} at position ${column}`);
    }
    if (match[1] !== undefined) tokens.push(["number", match[1]]);
    else tokens.push(["op", CANONICAL[match[2]] ?? match[2]]);
    position = ARITHMETIC_TOKEN.lastIndex;
  }
  return tokens;
}

function bounded(value) {
  if (!Number.isFinite(value) || Math.abs(value) >= 10 ** MAX_DIGITS) {
    throw new Unreadable("a number in the expression is too large");
  }
  return value;
}

function arithmetic(text) {
  // The value of a bounded arithmetic expression, or Unreadable saying why not.
  if ([...text].length > MAX_LENGTH) throw new Unreadable(`longer than ${MAX_LENGTH} characters`);
  const tokens = arithmeticTokens(text);
  let at = 0, depth = 0;
  const peek = () => (at < tokens.length ? tokens[at][1] : null);
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new Unreadable("the expression is nested too deeply");
  };
  function sum() {
    let value = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[at++][1];
      const right = product();
      value = bounded(op === "+" ? value + right : value - right);
    }
    return value;
  }
  function product() {
    let value = unary();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[at++][1];
      const right = unary();
      if (op === "/" && right === 0) throw new Unreadable("division by zero");
      value = bounded(op === "*" ? value * right : value / right);
    }
    return value;
  }
  function unary() {
    if (peek() === "+" || peek() === "-") {
      const op = tokens[at++][1];
      enter();
      const value = unary();
      depth--;
      return op === "-" ? -value : value;
    }
    return power();
  }
  function power() {
    const base = atom();
    if (peek() !== "**") return base;
    at++;
    enter();
    const exponent = unary();
    depth--;
    if (!Number.isInteger(exponent)) throw new Unreadable("only whole-number exponents are allowed");
    if (Math.abs(exponent) > MAX_EXPONENT) throw new Unreadable(`exponents are limited to ±${MAX_EXPONENT}`);
    if (base === 0 && exponent < 0) throw new Unreadable("division by zero");
    return bounded(base ** exponent);
  }
  function atom() {
    if (at >= tokens.length) throw new Unreadable("the expression ends too early");
    const [kind, text] = tokens[at++];
    if (kind === "number") {
      const [mantissa, exponent] = text.toLowerCase().split("e");
      if (exponent !== undefined && Math.abs(Number(exponent)) > MAX_DIGITS) {
        throw new Unreadable(`the exponent in ${text} is too large`);
      }
      if (mantissa.replace(".", "").replace(/^0+/, "").length > MAX_DIGITS) {
        throw new Unreadable(`${text.slice(0, 12)}... has too many digits`);
      }
      return bounded(Number(text));
    }
    if (text === "(") {
      enter();
      const value = sum();
      depth--;
      if (peek() !== ")") throw new Unreadable("a '(' is never closed");
      at++;
      return value;
    }
    throw new Unreadable(`unexpected '${text}'`);
  }
  if (!tokens.length) throw new Unreadable("empty answer");
  const value = sum();
  if (at !== tokens.length) throw new Unreadable(`unexpected '${peek()}'`);
  return value;
}

// ---- expressions (expressions.py): 2*x*y + exp(-x) in declared symbols ------------------

const FUNCTIONS = {
  exp: [1, Math.exp], log: [1, Math.log], sqrt: [1, Math.sqrt], sigmoid: [1, (v) => 1 / (1 + Math.exp(-v))],
  tanh: [1, Math.tanh], relu: [1, (v) => Math.max(v, 0)], abs: [1, Math.abs], sin: [1, Math.sin],
  cos: [1, Math.cos], max: [2, Math.max], min: [2, Math.min],
};
const ALIASES = { ln: "log", "σ": "sigmoid", sigma: "sigmoid", "√": "sqrt" };
const CONSTANTS = { e: Math.E, E: Math.E, pi: Math.PI, "π": Math.PI };
const EXPRESSION_TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+(?![A-Za-z_]))?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*|[σπ√])|(\*\*|[-+*/^(),·×−–]))/y;
const EXPRESSION_OPS = { "·": "*", "×": "*", "−": "-", "–": "-", "^": "**" };

function expressionTree(text, symbols) {
  if ([...text].length > MAX_LENGTH) throw new Unreadable(`longer than ${MAX_LENGTH} characters`);
  const tokens = [];
  text = text.replace(/\s+$/u, "");
  for (let position = 0; position < text.length; position = EXPRESSION_TOKEN.lastIndex) {
    EXPRESSION_TOKEN.lastIndex = position;
    const match = EXPRESSION_TOKEN.exec(text);
    if (!match) {
      const rest = text.slice(position).replace(/^\s+/u, "");
      const column = [...text].length - [...rest].length + 1;
      throw new Unreadable(`unexpected character ${pyrepr([...rest][0])} at position ${column}`);
    }
    if (match[1] !== undefined) tokens.push(["number", match[1]]);
    else if (match[2] !== undefined) tokens.push(["name", match[2]]);
    else tokens.push(["op", EXPRESSION_OPS[match[3]] ?? match[3]]);
  }
  let at = 0, depth = 0, nodes = 0;
  const peek = () => tokens[at];
  const isOp = (value) => peek() && peek()[0] === "op" && peek()[1] === value;
  const take = () => {
    if (at >= tokens.length) throw new Unreadable("the expression ends too early");
    return tokens[at++];
  };
  const node = (value) => {
    if (++nodes > 2000) throw new Unreadable("the expression is too large");
    return value;
  };
  const enter = () => {
    if (++depth > 40) throw new Unreadable("the expression is nested too deeply");
  };
  function sum() {
    let tree = product();
    while (isOp("+") || isOp("-")) tree = node({ op: take()[1], a: tree, b: product() });
    return tree;
  }
  function product() {
    let tree = unary();
    for (;;) {
      if (isOp("*") || isOp("/")) tree = node({ op: take()[1], a: tree, b: unary() });
      else if (peek() && (peek()[0] !== "op" || isOp("("))) tree = node({ op: "*", a: tree, b: power() });
      else return tree;
    }
  }
  function unary() {
    if (isOp("+") || isOp("-")) {
      const sign = take()[1];
      enter();
      const operand = unary();
      depth--;
      return sign === "+" ? operand : node({ op: "neg", a: operand });
    }
    return power();
  }
  function power() {
    const base = atom();
    if (!isOp("**")) return base;
    take();
    enter();
    const exponent = unary();
    depth--;
    if (!hasSymbols(exponent)) {  // x^1000, 10^10^10 and the like are refused unevaluated
      const value = evaluate(exponent, {});
      if (!Number.isFinite(value) || Math.abs(value) > 100) throw new Unreadable("exponents are limited to ±100");
      if (!hasSymbols(base)) {
        const magnitude = Math.abs(evaluate(base, {}));
        if (magnitude > 1 && Math.log10(magnitude) * Math.abs(value) > 60) {
          throw new Unreadable("a number in the expression is too large");
        }
      }
    } else if (symbolicPower(exponent)) {
      throw new Unreadable("towers of powers such as x^x^x are not allowed");
    }
    return node({ op: "**", a: base, b: exponent });
  }
  function atom() {
    const [kind, value] = take();
    if (kind === "number") return node({ op: "num", value: Number(value) });
    if (kind === "name") return name(value);
    if (value === "(") {
      enter();
      const tree = sum();
      depth--;
      if (!isOp(")")) throw new Unreadable("a '(' is never closed");
      take();
      return tree;
    }
    throw new Unreadable(`unexpected '${value}'`);
  }
  function name(text) {
    if (symbols.includes(text)) return node({ op: "sym", name: text });
    const fn = ALIASES[text] ?? text.toLowerCase();
    if (fn in FUNCTIONS) {
      if (!isOp("(")) throw new Unreadable(`${text} needs parentheses: ${text}(...)`);
      take();
      enter();
      const args = [sum()];
      while (isOp(",")) {
        take();
        args.push(sum());
      }
      depth--;
      if (!isOp(")")) throw new Unreadable(`${text}( is never closed`);
      take();
      const arity = FUNCTIONS[fn][0];
      if (args.length !== arity) throw new Unreadable(`${fn} takes ${arity} argument${arity === 1 ? "" : "s"}`);
      return node({ op: "call", name: fn, args });
    }
    if (text in CONSTANTS) return node({ op: "num", value: CONSTANTS[text] });
    throw new Unreadable(`unknown name '${cut(text, 20)}' (symbols: ${[...symbols].sort().join(", ") || "none"})`);
  }
  if (!tokens.length) throw new Unreadable("empty expression");
  const tree = sum();
  if (at !== tokens.length) throw new Unreadable(`unexpected '${take()[1]}'`);
  return tree;
}

const children = (node) => (node.op === "call" ? node.args : [node.a, node.b].filter(Boolean));
const hasSymbols = (node) => node.op === "sym" || children(node).some(hasSymbols);
const symbolicPower = (node) => (node.op === "**" && hasSymbols(node.b)) || children(node).some(symbolicPower);

function evaluate(node, values) {
  switch (node.op) {
    case "num": return node.value;
    case "sym": return values[node.name];
    case "neg": return -evaluate(node.a, values);
    case "call": return FUNCTIONS[node.name][1](...node.args.map((a) => evaluate(a, values)));
    case "+": return evaluate(node.a, values) + evaluate(node.b, values);
    case "-": return evaluate(node.a, values) - evaluate(node.b, values);
    case "*": return evaluate(node.a, values) * evaluate(node.b, values);
    case "/": return evaluate(node.a, values) / evaluate(node.b, values);
    case "**": return evaluate(node.a, values) ** evaluate(node.b, values);
  }
  throw new Unreadable("cannot evaluate");
}

// ---- the answer types (types.py) ----------------------------------------------------------

const PLAIN_DECIMAL = /^[-+]?(\d+(?:\.\d*)?|\.\d+)(?:[eE]([-+]?\d{1,2}))?$/;

const THOUSANDS = /^\s*[-+−]?\d{1,3}(?:,\d{3})+(?:\.\d*)?\s*$/;

function isList(text) {
  // _is_list: [1, 2], 0.5; 2, (1, 2), 1,2,3 or 1, 2 are several numbers; 1,5 and 1,000 one
  if (text.startsWith("[") || text.includes(";") || (text.startsWith("(") && text.includes(","))) {
    return true;
  }
  return !THOUSANDS.test(text) && ((text.match(/,/g) || []).length > 1 || text.includes(", "));
}

function real(raw) {
  // parse_real: 0.27, 1/3, 2.5e-3, −1, 1,5 (a decimal comma), or arithmetic such as 1 - 0.25
  let text = strip(raw);
  const plain = PLAIN_DECIMAL.exec(text);
  if (plain && plain[1].replace(".", "").replace(/^0+/, "").length <= 15 && Math.abs(Number(plain[2] ?? 0)) <= 20) {
    return Number(text);
  }
  if ([...text].length > MAX_LENGTH) throw new Unreadable(`longer than ${MAX_LENGTH} characters`);
  if (isList(text)) throw new Unreadable(`'${cut(text, 40)}' is a list: write one number here`);
  if (text.includes(",")) {
    const comma = /^\s*([-+−]?\d+),(\d+)\s*$/.exec(text);
    if (!comma) throw new Unreadable(`'${cut(text, 40)}': write decimals with '.' and no thousands separators`);
    if (comma[2].length === 3) throw new Unreadable(`'${text}' is ambiguous: write 1000 or 1.000`);
    text = `${comma[1]}.${comma[2]}`;
  }
  try {
    return arithmetic(text);
  } catch (error) {
    if (error instanceof Unreadable) throw new Unreadable(`not a number: ${error.message}`);
    throw error;
  }
}

function dims(raw, expected) {
  // _parse_dims: whole dimensions, with x, ×, *, commas or spaces between them
  let text = strip(raw);
  if ([...text].length > 100) throw new Unreadable("longer than 100 characters");
  for (const [left, right] of [["(", ")"], ["[", "]"]]) {
    if (text.startsWith(left) && text.endsWith(right)) {
      text = strip(text.slice(1, -1));
      break;
    }
  }
  if (!text) throw new Unreadable("empty shape");
  const parts = text.split(/\s*(?:[xX×*,]|\s)\s*/u);
  if (!parts.every((part) => /^\d{1,9}$/.test(part))) {
    if (/^\d{1,9}\.\d+$/.test(text)) {
      const whole = text.replace(/0+$/, "").replace(/\.$/, "");
      if (!whole.includes(".")) throw new Unreadable(`'${text}': sizes are whole numbers, write ${whole}`);
      throw new Unreadable(`'${text}': sizes are whole numbers`);
    }
    throw new Unreadable(`'${cut(text, 40)}' is not ${expected}`);
  }
  const result = parts.map(Number);
  if (result.includes(0)) throw new Unreadable("a dimension of 0 is not a shape");
  return result;
}

function matrixEntries(text) {
  // _entries: [1, 2], [[1, 2], [3, 4]] or [1, 2; 3, 4], as lists of entries' texts
  text = strip(text);
  if (text.length > 20 * 400) throw new Unreadable("too long");
  if (!(text.startsWith("[") && text.endsWith("]"))) {
    throw new Unreadable("write a list such as [1, 2] or rows such as [1, 2; 3, 4]");
  }
  const inner = text.slice(1, -1);
  if (inner.includes(";")) {
    if (inner.includes("[") || inner.includes("]")) {
      throw new Unreadable("use either [[1, 2], [3, 4]] or [1, 2; 3, 4], not both");
    }
    return { nested: true, rows: inner.split(";").map((row) => strip(row).split(/\s*,\s*|\s+/u)) };
  }
  if (inner.includes("[")) {
    if (strip(inner.replace(/\[[^\[\]]*\]/g, "").replaceAll(",", ""))) throw new Unreadable("write rows as [[1, 2], [3, 4]]");
    const rows = [...inner.matchAll(/\[([^\[\]]*)\]/g)].map((m) => (strip(m[1]) ? strip(m[1]).split(/\s*,\s*/u) : []));
    return { nested: true, rows };
  }
  return { nested: false, rows: [strip(inner) ? strip(inner).split(/\s*,\s*/u) : []] };
}

function shaped(rows, type) {
  if (new Set(rows.map((row) => row.length)).size > 1) throw new Unreadable("rows of different lengths");
  if (type.rows === null) {
    if (rows.length === 1 || rows.every((row) => row.length === 1)) return rows.flat();
    throw new Unreadable(`expected a vector of ${type.cols}, got rows`);
  }
  if (rows.length === 1 && type.rows !== 1 && type.cols === 1) return rows[0].map((v) => [v]);
  return rows;
}

function matrix(raw, type) {
  if (Array.isArray(raw)) {  // a key, as the manifest stores it
    return shaped(raw.length && Array.isArray(raw[0]) ? raw : [raw], type);
  }
  const { nested, rows } = matrixEntries(raw);
  if (rows.reduce((n, row) => n + row.length, 0) > 400) throw new Unreadable("more than 400 entries");
  return shaped(rows.map((row, r) => row.map((entry, c) => {
    try {
      return real(entry);
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      throw new Unreadable(`${nested ? `entry (${r + 1}, ${c + 1})` : `entry ${c + 1}`}: ${error.message}`);
    }
  })), type);
}

// The grader's example of a shape, by layout. Every page's bytes are searched for each of its
// keys, and this constant is kept as numbers so that a key equal to it is not seen in every sheet;
// the answer form gives each part the example of its own hint instead (type.example), one
// chosen to be none of the question's keys.
const SHAPE_EXAMPLES = { HxWxC: [32, 32, 10], CxHxW: [10, 32, 32] };
const TRUTH = { true: true, t: true, false: false, f: false };

const READERS = {
  integer(raw) {
    const digits = strip(raw);
    if (/^[0-9]{1,40}$/.test(digits)) return Number(digits);
    let value;
    try {
      value = arithmetic(raw);
    } catch (error) {
      if (error instanceof Unreadable) throw new Unreadable(`not a number or arithmetic: ${error.message}`);
      throw error;
    }
    if (!Number.isInteger(value)) throw new Unreadable(`${strip(raw)} is not a whole number`);
    return value;
  },
  real,
  shape(raw, type) {
    const example = type.example ?? SHAPE_EXAMPLES[type.layout ?? "HxWxC"].join("x");
    return dims(raw, `a shape: write whole numbers with x between them, such as ${example}`);
  },
  spatial_size(raw) {
    const value = dims(raw, "a size: write one number such as 14, or HxW such as 14x10");
    if (value.length === 1) return [value[0], value[0]];
    if (value.length === 2) return value;
    throw new Unreadable(`expected one number or HxW, got ${value.length} dimensions`);
  },
  matrix,
  expression(raw, type) {
    try {
      return expressionTree(raw, type.symbols);
    } catch (error) {
      if (error instanceof Unreadable) throw new Unreadable(`not an expression: ${error.message}`);
      throw error;
    }
  },
  truefalse(raw) {
    if (typeof raw === "boolean") return raw;
    const word = strip(raw).toLowerCase().replace(/\.+$/, "");
    if (!(word in TRUTH)) throw new Unreadable(`'${cut(strip(raw), 20)}' is not true or false`);
    return TRUTH[word];
  },
  multiselect(raw, type) {
    const text = Array.isArray(raw) ? raw.join("") : raw;
    if ([...text].length > 100) throw new Unreadable("longer than 100 characters");
    const letters = text.replace(/[\s,;()\[\]]/gu, "").toUpperCase();
    const valid = "ABCDEFGHIJ".slice(0, type.options);
    const range = `from ${valid[0]} to ${valid.at(-1)}`;
    let number = false;
    if (/\d/.test(text)) {
      try {
        real(text);
        number = true;
      } catch (error) {
        if (!(error instanceof Unreadable)) throw error;
      }
    }
    if (number) throw new Unreadable(`'${cut(strip(text), 20)}' is a number: choose the letters of the correct options, ${range}`);
    if (!letters || [...letters].some((l) => !valid.includes(l))) {
      throw new Unreadable(`'${cut(strip(text), 20)}': choose letters ${range}`);
    }
    if (new Set(letters).size !== letters.length) throw new Unreadable(`'${strip(text)}' names an option twice`);
    return new Set(letters);
  },
};

function readValue(type, raw) {
  // A JSON value as the grader's read: numbers are numbers already, text is parsed.
  if (typeof raw === "number" && type.kind !== "shape" && type.kind !== "spatial_size") return raw;
  return READERS[type.kind](typeof raw === "number" ? String(raw) : raw, type);
}

function readAnswer(type, raw) {
  // {status: "blank" | "invalid" | "readable", message, value}: read_answer's verdict on
  // what a student typed, and why an unreadable answer cannot be read.
  if (raw === null || raw === undefined || (typeof raw === "string" && !strip(raw))) {
    return { status: "blank", message: "no answer" };
  }
  try {
    return { status: "readable", message: "", value: readValue(type, raw) };
  } catch (error) {
    if (error instanceof Unreadable) return { status: "invalid", message: error.message };
    throw error;
  }
}

// ---- comparing with a key, as the grader does (the self-check page only) -----------------

function close(value, key, type) {
  // bounds included, as the grader's exact Tolerance: 1.01 is within 1 % of 1, which floats
  // alone would miss by a rounding error
  const bound = Math.max(type.atol ?? 1e-4, (type.rtol ?? 0.01) * Math.abs(key));
  return Math.abs(value - key) <= bound + 1e-12 * (Math.abs(value) + Math.abs(key) + bound);
}

function fraction(text) {
  const [a, b] = String(text).split("/");
  return Number(a) / (b === undefined ? 1 : Number(b));
}

const COMPARE = {
  integer: (value, key) => (value === key ? 1 : 0),
  real: (value, key, type) => (close(value, key, type) ? 1 : 0),
  shape(value, key, type) {
    // an FC layer's N outputs, written as the volume 1x1xN, or Nx1x1 channels first
    const volume = type.layout === "CxHxW" ? `${key[0]}x1x1` : `1x1x${key[0]}`;
    if (type.fc_volume && key.length === 1 && value.join("x") === volume) return 1;
    return value.join("x") === key.join("x") ? 1 : 0;
  },
  spatial_size: (value, key) => (value.join("x") === key.join("x") ? 1 : 0),
  matrix(value, key, type) {
    const rows = (v) => (type.rows === null ? [v] : v);
    const a = rows(value), b = rows(key);
    if (a.length !== b.length || a.some((row, i) => row.length !== b[i].length)) return 0;
    const flat = a.flat(), flatKey = b.flat();
    return flat.filter((v, i) => close(v, flatKey[i], type)).length / flatKey.length;
  },
  truefalse: (value, key, type) => (value === key ? 1 : fraction(type.wrong ?? "-1/2")),
  multiselect(value, key, type) {
    const errors = [...value].filter((l) => !key.has(l)).length + [...key].filter((l) => !value.has(l)).length;
    return Math.max(fraction(type.floor ?? "0"), 1 - errors * fraction(type.per_error ?? "1/2"));
  },
  expression(value, key, type) {
    // equal at several points of the declared symbols, as the grader's numeric check
    let agreed = 0;
    for (let n = 0; n < 24 && agreed < 6; n++) {
      const point = Object.fromEntries(type.symbols.map((s, i) => [s, 0.3 + ((n * 7 + i * 3) % 11) / 7]));
      const a = evaluate(value, point), b = evaluate(key, point);
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (Math.abs(a - b) > 1e-10 + 1e-8 * Math.abs(b)) return 0;
      agreed++;
    }
    return agreed >= 6 ? 1 : 0;
  },
};

function score(type, value, key) {
  return COMPARE[type.kind](value, readValue(type, key), type);
}

function check(part, raw) {
  // {status, score, message}: the grader's statuses, and a known mistake when one matches.
  const read = readAnswer(part.type, raw);
  if (read.status === "blank") return { status: "blank", score: 0, message: "no answer yet" };
  if (read.status === "invalid") return { status: "invalid", score: 0, message: read.message };
  const got = score(part.type, read.value, part.key);
  if (got >= 1) return { status: "correct", score: got, message: "correct" };
  if (part.type.kind === "shape") {  // as the grader explains a volume of the wrong rank
    const wanted = readValue(part.type, part.key).length;
    const volumeAllowed = part.type.fc_volume && wanted === 1;  // 1x1xN is right there
    const rank = wanted === 1 ? "1 dimension" : `${wanted} dimensions`;
    if (read.value.length !== wanted && !volumeAllowed) {
      return { status: "wrong", score: got, message: `not right: expected ${rank}, got ${read.value.length}` };
    }
  }
  const status = got > 0 ? "partial" : "wrong";
  const head = got > 0 ? `partly right (${Math.round(got * 100)} %)` : "not right";
  for (const mistake of part.mistakes ?? []) {
    let agrees = false;
    try { agrees = score(part.type, read.value, mistake.value) >= 1; } catch (error) { agrees = false; }
    if (agrees) return { status, score: got, message: `${head} (known mistake: ${mistake.diagnosis})` };
  }
  return { status, score: got, message: head };
}
