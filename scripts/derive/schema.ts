/**
 * JSON Schema / OpenAPI v3 schemas without their prose: `description`, `title`, `$comment`,
 * `examples`/`example`, `markdownDescription` and `default` are dropped wherever they are schema
 * keywords, and so are `x-kubernetes-validations` (CEL rules and their messages: code and prose,
 * which nothing here evaluates); a property that happens to be called `description` is kept. What
 * remains is structure: types, properties, required, enums, patterns, formats, bounds and the
 * other x-kubernetes-* markers.
 */
const PROSE = new Set(["description", "title", "$comment", "examples", "example", "markdownDescription", "default", "x-kubernetes-validations"]);
/** Keywords whose value is a map name -> schema. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"]);
/** Keywords whose value is a schema (or, for items, a list of schemas). */
const SCHEMA_VALUES = new Set(["items", "additionalProperties", "additionalItems", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"]);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function stripProse(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(stripProse);
    if (!isObject(schema)) return schema;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
        if (PROSE.has(k)) continue;
        if (SCHEMA_MAPS.has(k) && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, stripProse(s)]));
        else if (SCHEMA_VALUES.has(k) || SCHEMA_LISTS.has(k)) out[k] = stripProse(v);
        else out[k] = v;
    }
    return out;
}
