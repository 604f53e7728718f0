// The RDF schema of a hypergraph instance (spec §3.8 "Turtle → tags"): a deploy needs a non-empty
// schema that parses, an update may only add classes and fields. The spec does not give the
// reference's full Turtle grammar, so quilbun accepts the small subset below and nothing else
// (README.md "Schemas" repeats it for users):
//
//   document   := (prefix | triples)*          comments run from `#` to the end of the line
//   prefix     := "@prefix" NAME ":" "<" IRI ">" "."
//   triples    := pname verb objects (";" (verb objects)?)* "."
//   verb       := "a" | "rdf:type" | pname      objects := object ("," object)*
//   object     := pname | integer | "string" | <IRI>
//
// Every prefixed name's prefix must be declared. `C a rdfs:Class` declares a class; `P a
// rdfs:Property` declares a field with exactly one each of rdfs:domain, rdfs:range, qcl:order and
// qcl:size. The field's class is rdfs:domain when that names a declared class, else rdfs:range (the
// inverse orientation is accepted too); the other side is its RDF type, and when that is a declared
// class the field is extrinsic. rdfs:/qcl: are recognised by prefix label. Other predicates
// (rdfs:comment, rdfs:label, …) are ignored. Orders are unique per class and at most 262 142 (the
// 3-byte key limit of §3.4); sizes are positive.
import * as Data from "effect/Data"
import * as Either from "effect/Either"

interface FieldTag {
  readonly name: string
  readonly className: string
  readonly order: number
  readonly size: number
  readonly rdfType: string
  /** The class an extrinsic field points at, or "" for a raw field. */
  readonly extrinsic: string
}

/** class (`prefix:Class`) → field (`prefix:Field`) → tag, both in sorted order. */
export type SchemaTags = ReadonlyMap<string, ReadonlyMap<string, FieldTag>>

export class SchemaError extends Data.TaggedError("SchemaError")<{ readonly reason: string }> {}

const MAX_ORDER = 262_142

type Token =
  | { readonly t: "iri"; readonly v: string }
  | { readonly t: "pname"; readonly v: string }
  | { readonly t: "int"; readonly v: number }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "punct"; readonly v: "." | ";" | "," }
  | { readonly t: "prefix" }
  | { readonly t: "a" }

const PNAME = /^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*$/

const tokenize = (text: string): Either.Either<Array<Token>, SchemaError> => {
  const out: Array<Token> = []
  let i = 0
  const fail = (why: string) => Either.left(new SchemaError({ reason: `${why} at offset ${i}` }))
  while (i < text.length) {
    const c = text[i] ?? ""
    if (/\s/.test(c)) {
      i++
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++
    } else if (c === "<") {
      const end = text.indexOf(">", i)
      if (end < 0) return fail("unterminated IRI")
      const iri = text.slice(i + 1, end)
      if (/[\s<"{}|^`\\]/.test(iri)) return fail("malformed IRI")
      out.push({ t: "iri", v: iri })
      i = end + 1
    } else if (c === '"') {
      let j = i + 1
      let value = ""
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\n") return fail("newline in string")
        if (text[j] === "\\") j++
        value += text[j] ?? ""
        j++
      }
      if (j >= text.length) return fail("unterminated string")
      out.push({ t: "str", v: value })
      i = j + 1
    } else if (c === "." || c === ";" || c === ",") {
      out.push({ t: "punct", v: c })
      i++
    } else {
      let j = i
      while (j < text.length && !/[\s;,<>"#]/.test(text[j] ?? "")) j++
      let word = text.slice(i, j)
      // A statement's closing "." may touch the last name ("qcl:order 3."); names never end in ".".
      let trailingDot = false
      if (word.endsWith(".") && word.length > 1) {
        word = word.slice(0, -1)
        trailingDot = true
      }
      if (word === "@prefix") out.push({ t: "prefix" })
      else if (word === "a") out.push({ t: "a" })
      else if (/^\d+$/.test(word) && word.length <= 9) out.push({ t: "int", v: Number(word) })
      else if (/^[A-Za-z][A-Za-z0-9_-]*:$/.test(word)) out.push({ t: "pname", v: word })
      else if (PNAME.test(word)) out.push({ t: "pname", v: word })
      else return fail(`unexpected ${JSON.stringify(word.slice(0, 40))}`)
      if (trailingDot) out.push({ t: "punct", v: "." })
      i = j
    }
  }
  return Either.right(out)
}

type ObjectValue = { readonly kind: "name"; readonly v: string } | { readonly kind: "int"; readonly v: number } | { readonly kind: "other" }

interface Subject {
  readonly types: Set<string>
  readonly props: Map<string, Array<ObjectValue>>
}

const parseTriples = (tokens: ReadonlyArray<Token>): Either.Either<Map<string, Subject>, SchemaError> => {
  const prefixes = new Set<string>()
  const subjects = new Map<string, Subject>()
  let i = 0
  const fail = (why: string) => Either.left(new SchemaError({ reason: `${why} (token ${i})` }))
  const prefixOf = (pname: string): string => pname.slice(0, pname.indexOf(":"))
  const declared = (pname: string): boolean => prefixes.has(prefixOf(pname))
  while (i < tokens.length) {
    const tok = tokens[i]
    if (tok?.t === "prefix") {
      const name = tokens[i + 1]
      const iri = tokens[i + 2]
      const dot = tokens[i + 3]
      if (name?.t !== "pname" || !name.v.endsWith(":") || iri?.t !== "iri" || dot?.t !== "punct" || dot.v !== ".") return fail("malformed @prefix")
      prefixes.add(name.v.slice(0, -1))
      i += 4
      continue
    }
    if (tok?.t !== "pname" || tok.v.endsWith(":")) return fail("a statement starts with a prefixed name")
    if (!declared(tok.v)) return fail(`undeclared prefix in ${tok.v}`)
    const subject = subjects.get(tok.v) ?? { types: new Set<string>(), props: new Map<string, Array<ObjectValue>>() }
    subjects.set(tok.v, subject)
    i++
    for (;;) {
      const verb = tokens[i]
      let predicate: string
      if (verb?.t === "a") predicate = "rdf:type"
      else if (verb?.t === "pname" && !verb.v.endsWith(":")) {
        if (!declared(verb.v)) return fail(`undeclared prefix in ${verb.v}`)
        predicate = verb.v
      } else return fail("expected a predicate")
      i++
      for (;;) {
        const obj = tokens[i]
        let value: ObjectValue
        if (obj?.t === "pname" && !obj.v.endsWith(":")) {
          if (!declared(obj.v)) return fail(`undeclared prefix in ${obj.v}`)
          value = { kind: "name", v: obj.v }
        } else if (obj?.t === "int") value = { kind: "int", v: obj.v }
        else if (obj?.t === "str" || obj?.t === "iri") value = { kind: "other" }
        else return fail("expected an object")
        i++
        if (predicate === "rdf:type") {
          if (value.kind !== "name") return fail("a type is a prefixed name")
          subject.types.add(value.v)
        } else {
          const list = subject.props.get(predicate) ?? []
          list.push(value)
          subject.props.set(predicate, list)
        }
        const sep = tokens[i]
        if (sep?.t === "punct" && sep.v === ",") {
          i++
          continue
        }
        break
      }
      const sep = tokens[i]
      if (sep?.t === "punct" && sep.v === ";") {
        i++
        // Turtle allows a dangling ";" before "."
        const after = tokens[i]
        if (after?.t === "punct" && after.v === ".") {
          i++
          break
        }
        continue
      }
      if (sep?.t === "punct" && sep.v === ".") {
        i++
        break
      }
      return fail("expected ';', ',' or '.'")
    }
  }
  return Either.right(subjects)
}

const isClassType = (t: string): boolean => t === "rdfs:Class" || t === "owl:Class"
const isPropertyType = (t: string): boolean => t === "rdfs:Property" || t === "rdf:Property" || t === "owl:DatatypeProperty"

const single = (subject: Subject, name: string, predicate: string): Either.Either<ObjectValue, SchemaError> => {
  const values = subject.props.get(predicate) ?? []
  if (values.length !== 1) return Either.left(new SchemaError({ reason: `field ${name} needs exactly one ${predicate}, has ${values.length}` }))
  return Either.right(values[0] as ObjectValue)
}

/** Parses a schema document into its class and field tags. */
export const parseSchema = (text: string): Either.Either<SchemaTags, SchemaError> =>
  Either.gen(function* () {
    if (text.trim().length === 0) return yield* Either.left(new SchemaError({ reason: "the schema is empty" }))
    const subjects = yield* parseTriples(yield* tokenize(text))
    const classes = new Set<string>()
    for (const [name, s] of subjects) if ([...s.types].some(isClassType)) classes.add(name)
    if (classes.size === 0) return yield* Either.left(new SchemaError({ reason: "the schema declares no class" }))
    const tags = new Map<string, Map<string, FieldTag>>([...classes].sort().map((c) => [c, new Map<string, FieldTag>()]))
    for (const [name, s] of [...subjects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (![...s.types].some(isPropertyType)) continue
      if (classes.has(name)) return yield* Either.left(new SchemaError({ reason: `${name} is both a class and a field` }))
      const domain = yield* single(s, name, "rdfs:domain")
      const range = yield* single(s, name, "rdfs:range")
      const order = yield* single(s, name, "qcl:order")
      const size = yield* single(s, name, "qcl:size")
      if (domain.kind !== "name" || range.kind !== "name")
        return yield* Either.left(new SchemaError({ reason: `field ${name}: rdfs:domain and rdfs:range are prefixed names` }))
      if (order.kind !== "int" || order.v > MAX_ORDER)
        return yield* Either.left(new SchemaError({ reason: `field ${name}: qcl:order is an integer 0..${MAX_ORDER}` }))
      if (size.kind !== "int" || size.v < 1) return yield* Either.left(new SchemaError({ reason: `field ${name}: qcl:size is a positive integer` }))
      const [className, rdfType] = classes.has(domain.v) ? [domain.v, range.v] : classes.has(range.v) ? [range.v, domain.v] : [undefined, ""]
      if (className === undefined)
        return yield* Either.left(new SchemaError({ reason: `field ${name}: neither rdfs:domain nor rdfs:range is a declared class` }))
      const fields = tags.get(className)
      if (fields === undefined) return yield* Either.left(new SchemaError({ reason: `field ${name}: unknown class ${className}` }))
      for (const other of fields.values()) {
        if (other.order === order.v)
          return yield* Either.left(new SchemaError({ reason: `class ${className}: fields ${other.name} and ${name} share order ${order.v}` }))
      }
      fields.set(name, { name, className, order: order.v, size: size.v, rdfType, extrinsic: classes.has(rdfType) ? rdfType : "" })
    }
    return tags
  })

const sameTag = (a: FieldTag, b: FieldTag): boolean =>
  a.name === b.name && a.className === b.className && a.order === b.order && a.size === b.size && a.rdfType === b.rdfType && a.extrinsic === b.extrinsic

/** Spec §3.8: an update keeps every existing class and field with an identical tag; it may only add. */
export const additiveProblem = (current: SchemaTags, next: SchemaTags): string | undefined => {
  for (const [className, fields] of current) {
    const nextFields = next.get(className)
    if (nextFields === undefined) return `class ${className} was removed`
    for (const [fieldName, tag] of fields) {
      const nextTag = nextFields.get(fieldName)
      if (nextTag === undefined) return `field ${fieldName} of ${className} was removed`
      if (!sameTag(tag, nextTag)) return `field ${fieldName} of ${className} changed`
    }
  }
  return undefined
}
