// The Turtle subset of schema.ts: what parses, what is refused, and the additive-update rule.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import { additiveProblem, parseSchema } from "../../../../intrinsics/hypergraph/schema.ts"
import { testSchema } from "./fixtures/hypergraph-env.ts"

const reason = (text: string): string => {
  const r = parseSchema(text)
  return Either.isLeft(r) ? r.left.reason : "parsed"
}

describe("parseSchema", () => {
  test("classes and fields become tags", () => {
    const tags = Either.getOrThrow(parseSchema(testSchema))
    expect([...tags.keys()]).toEqual(["note:Note"])
    expect(tags.get("note:Note")?.get("note:Title")).toEqual({
      name: "note:Title",
      className: "note:Note",
      order: 0,
      size: 64,
      rdfType: "qcl:String",
      extrinsic: "",
    })
  })

  test("the inverse orientation, comments, comma lists, ignored predicates and extrinsic fields", () => {
    const text = `@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . # prefixes
@prefix qcl: <https://types.quilibrium.com/qcl/> .
@prefix x: <https://example.org/x/> .
x:A a rdfs:Class ; rdfs:comment "an \\"A\\"" .
x:B a rdfs:Class .
x:F a rdfs:Property ; rdfs:range x:A ; rdfs:domain qcl:Uint ; qcl:order 3 ; qcl:size 8 .
x:G a rdfs:Property ; rdfs:domain x:A ; rdfs:range x:B ; qcl:order 4 ; qcl:size 64 ; rdfs:label "g", "gee" .`
    const tags = Either.getOrThrow(parseSchema(text))
    expect(tags.get("x:A")?.get("x:F")?.rdfType).toBe("qcl:Uint")
    expect(tags.get("x:A")?.get("x:G")?.extrinsic).toBe("x:B")
    expect(tags.get("x:B")?.size).toBe(0)
  })

  test("refusals name the problem", () => {
    expect(reason("")).toContain("empty")
    expect(reason("   # only a comment\n")).toContain("no class")
    expect(reason("@prefix x: <http://e/> .")).toContain("no class")
    expect(reason("y:A a rdfs:Class .")).toContain("undeclared prefix")
    expect(reason("@prefix rdfs: <r> . @prefix x: <e> . x:A a rdfs:Class")).toContain("expected")
    const base = "@prefix rdfs: <r> . @prefix qcl: <q> . @prefix x: <e> . x:A a rdfs:Class . "
    expect(reason(`${base}x:F a rdfs:Property ; rdfs:domain x:A ; rdfs:range qcl:Uint ; qcl:size 8 .`)).toContain("qcl:order")
    expect(reason(`${base}x:F a rdfs:Property ; rdfs:domain x:A ; rdfs:range qcl:Uint ; qcl:order 1 ; qcl:size 0 .`)).toContain("qcl:size")
    expect(reason(`${base}x:F a rdfs:Property ; rdfs:domain x:Z ; rdfs:range qcl:Uint ; qcl:order 1 ; qcl:size 1 .`)).toContain("declared class")
    expect(
      reason(
        `${base}x:F a rdfs:Property ; rdfs:domain x:A ; rdfs:range qcl:Uint ; qcl:order 1 ; qcl:size 1 . x:G a rdfs:Property ; rdfs:domain x:A ; rdfs:range qcl:Uint ; qcl:order 1 ; qcl:size 1 .`,
      ),
    ).toContain("share order")
    expect(reason(`${base}x:F a rdfs:Property ; rdfs:domain x:A ; rdfs:range qcl:Uint ; qcl:order 262143 ; qcl:size 1 .`)).toContain("qcl:order")
    expect(reason('@prefix x: <e> . x:A x:p "unterminated')).toContain("unterminated")
  })
})

describe("additive updates", () => {
  const current = Either.getOrThrow(parseSchema(testSchema))
  test("adding a field or a class passes; removing or changing one does not", () => {
    const added = `${testSchema}note:Body a rdfs:Property ; rdfs:domain note:Note ; rdfs:range qcl:String ; qcl:order 1 ; qcl:size 9 .\nnote:Tag a rdfs:Class .\n`
    expect(additiveProblem(current, Either.getOrThrow(parseSchema(added)))).toBeUndefined()
    const changed = Either.getOrThrow(parseSchema(testSchema.replace("qcl:order 0", "qcl:order 2")))
    expect(additiveProblem(current, changed)).toContain("changed")
    const renamed = Either.getOrThrow(parseSchema(testSchema.replaceAll("note:Note", "note:Memo")))
    expect(additiveProblem(current, renamed)).toContain("removed")
  })
})
