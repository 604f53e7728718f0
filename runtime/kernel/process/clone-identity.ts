// Whether a schema's encoded form is the value itself as Bun's "advanced" IPC (structured clone)
// delivers it: no transformations (classes, Option, DateFromString ...) anywhere inside, only
// structs, tuples, unions, refinements, primitives and clone-safe built-ins (Uint8Array, Date).
// Such values can skip Schema encode before sending, and a reply from our own worker can skip
// decode; measured, the four Schema passes were ~20% of an IPC ask's CPU time.
import { Option, SchemaAST } from "effect"

const CLONE_SAFE_DECLARATIONS = new Set(["Uint8ArrayFromSelf", "DateFromSelf"])
const cache = new WeakMap<SchemaAST.AST, boolean>()

const check = (ast: SchemaAST.AST, visiting: Set<SchemaAST.AST>): boolean => {
  switch (ast._tag) {
    case "Transformation":
      return false
    case "Declaration":
      return Option.match(SchemaAST.getIdentifierAnnotation(ast), {
        onNone: () => false,
        onSome: (id) => CLONE_SAFE_DECLARATIONS.has(id),
      })
    case "Refinement":
      return isCloneIdentity(ast.from)
    case "Suspend":
      // Recursive schemas: assume the cycle is fine and judge the rest.
      if (visiting.has(ast)) return true
      visiting.add(ast)
      return check(ast.f(), visiting)
    case "Union":
      return ast.types.every((t) => check(t, visiting))
    case "TupleType":
      return ast.elements.every((e) => check(e.type, visiting)) && ast.rest.every((r) => check(r.type, visiting))
    case "TypeLiteral":
      return ast.propertySignatures.every((p) => check(p.type, visiting)) && ast.indexSignatures.every((i) => check(i.type, visiting))
    default:
      // Keywords, literals, enums, template literals: plain values.
      return true
  }
}

export const isCloneIdentity = (ast: SchemaAST.AST): boolean => {
  const known = cache.get(ast)
  if (known !== undefined) return known
  const result = check(ast, new Set())
  cache.set(ast, result)
  return result
}
