// A protocol is the Schema union of the messages an actor accepts. Tells are plain tagged
// classes/structs; asks are Schema.TaggedRequest classes, which carry their reply (success) and
// failure schemas. In-process refs never touch the schemas; remote refs use the codec helpers here.
import { type Exit, Schema } from "effect"
import type { Effect, ParseResult, Request } from "effect"
import { KernelError } from "./errors.ts"
import type { AskError } from "./errors.ts"

/** Every message is a tagged value. */
export interface Message {
  readonly _tag: string
}

/** An ask message: a Schema.TaggedRequest instance (a Request with success/failure schemas). */
export type AskMessage = Message & Request.Request<unknown, unknown> & Schema.WithResult.All

/** The ask messages of a protocol's union. */
export type AsksOf<M> = Extract<M, Request.Request<unknown, unknown>>
/** The tell-only messages of a protocol's union. */
export type TellsOf<M> = Exclude<M, Request.Request<unknown, unknown>>
/** What an ask replies with. */
export type ReplyOf<Q> = Q extends Request.Request<infer A, infer _E> ? A : never
/** The failure an ask's handler may declare (delivered to the asker, does not crash the actor). */
export type FailureOf<Q> = Q extends Request.Request<infer _A, infer E> ? E : never

/** The outcome of an ask, as the asker sees it. */
export type AskExit<Q> = Exit.Exit<ReplyOf<Q>, FailureOf<Q> | AskError>

export interface Protocol<M extends Message> {
  readonly name: string
  readonly schema: Schema.Schema<M, unknown>
  readonly tags: ReadonlySet<string>
  /** Decode a message that crossed a process or network boundary. */
  readonly decodeMessage: (u: unknown) => Effect.Effect<M, ParseResult.ParseError>
  /** Encode a message to send it across a boundary. */
  readonly encodeMessage: (m: M) => Effect.Effect<unknown, ParseResult.ParseError>
  /** Encode the outcome of an ask (reply, declared failure, kernel error or defect) for the wire. */
  readonly encodeReply: <Q extends AsksOf<M>>(message: Q, exit: AskExit<Q>) => Effect.Effect<unknown, ParseResult.ParseError>
  /** Decode an ask outcome received from the wire, typed by the message that was asked. */
  readonly decodeReply: <Q extends AsksOf<M>>(message: Q, u: unknown) => Effect.Effect<AskExit<Q>, ParseResult.ParseError>
}

type MemberSchema = Schema.Schema.Any & { readonly Type: Message }

const replySchemas = new WeakMap<object, Schema.Schema<Exit.Exit<unknown, unknown>, unknown>>()

/** The Exit schema of an ask message: its success, its failure or a kernel error, or a defect. */
const replySchema = (message: Schema.WithResult.Any): Schema.Schema<Exit.Exit<unknown, unknown>, unknown> => {
  // Cache per message class: the schemas are static on the TaggedRequest class.
  const key = Object.getPrototypeOf(message) as object
  const cached = replySchemas.get(key)
  if (cached !== undefined) return cached
  const success = Schema.successSchema(message) as Schema.Schema<unknown, unknown>
  const failure = Schema.failureSchema(message) as Schema.Schema<unknown, unknown>
  const schema = Schema.Exit({
    success,
    failure: Schema.Union(failure, KernelError),
    defect: Schema.Defect,
  }) as unknown as Schema.Schema<Exit.Exit<unknown, unknown>, unknown>
  replySchemas.set(key, schema)
  return schema
}

/**
 * Builds a protocol from message schemas (TaggedClass / TaggedStruct for tells, TaggedRequest for
 * asks). Schemas must not need a context (R = never) so decoding works anywhere.
 */
export const make = <const Members extends ReadonlyArray<MemberSchema>>(
  name: string,
  ...members: Members
): Protocol<Schema.Schema.Type<Members[number]> & Message> => {
  type M = Schema.Schema.Type<Members[number]> & Message
  const schema = Schema.Union(...members) as unknown as Schema.Schema<M, unknown>
  const tags = new Set<string>()
  for (const member of members) {
    const tag = findTag(member.ast)
    if (tag !== undefined) tags.add(tag)
  }
  const decode = Schema.decodeUnknown(schema)
  const encode = Schema.encode(schema)
  return {
    name,
    schema,
    tags,
    decodeMessage: (u) => decode(u),
    encodeMessage: (m) => encode(m),
    encodeReply: (message, exit) => Schema.encode(replySchema(message as unknown as Schema.WithResult.Any))(exit as Exit.Exit<unknown, unknown>),
    decodeReply: <Q extends AsksOf<M>>(message: Q, u: unknown) =>
      Schema.decodeUnknown(replySchema(message as unknown as Schema.WithResult.Any))(u) as Effect.Effect<AskExit<Q>, ParseResult.ParseError>,
  }
}

const findTag = (ast: Schema.Schema.Any["ast"]): string | undefined => {
  // Class schemas are Transformations from the encoded struct; structs are TypeLiterals.
  const node = ast._tag === "Transformation" ? ast.from : ast
  if (node._tag !== "TypeLiteral") return undefined
  for (const ps of node.propertySignatures) {
    if (ps.name === "_tag" && ps.type._tag === "Literal" && typeof ps.type.literal === "string") return ps.type.literal
  }
  return undefined
}
