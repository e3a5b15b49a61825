// Reading Rapid Review errors from Node.js: a failed call carries a
// google.rpc.Status in the `grpc-status-details-bin` trailer, whose details
// hold a google.rpc.BadRequest with the field violations. This decodes the
// few fields needed straight from the protobuf wire format, so no extra
// package (or google/rpc proto file) is needed.

function readVarint(buf, pos) {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [Number(result), pos];
    shift += 7n;
  }
}

// Yields [fieldNumber, wireType, value] for each field of one message.
function* fields(buf) {
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const number = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      let value;
      [value, pos] = readVarint(buf, pos);
      yield [number, wire, value];
    } else if (wire === 2) {
      let length;
      [length, pos] = readVarint(buf, pos);
      yield [number, wire, buf.subarray(pos, pos + length)];
      pos += length;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

// The field violations ({field, description}) of a failed call; [] when there are none.
export function fieldViolations(error) {
  const values = error?.metadata?.get?.('grpc-status-details-bin') ?? [];
  const out = [];
  for (const status of values) {
    for (const [number, wire, detail] of fields(Buffer.from(status))) {
      if (number !== 3 || wire !== 2) continue; // Status.details (repeated google.protobuf.Any)
      let typeUrl = '';
      let value = Buffer.alloc(0);
      for (const [n, w, v] of fields(detail)) {
        if (n === 1 && w === 2) typeUrl = v.toString('utf8');
        if (n === 2 && w === 2) value = v;
      }
      if (typeUrl !== BAD_REQUEST) continue;
      for (const [n, w, violation] of fields(value)) {
        if (n !== 1 || w !== 2) continue; // BadRequest.field_violations
        const item = { field: '', description: '' };
        for (const [fn, fw, fv] of fields(violation)) {
          if (fn === 1 && fw === 2) item.field = fv.toString('utf8');
          if (fn === 2 && fw === 2) item.description = fv.toString('utf8');
        }
        out.push(item);
      }
    }
  }
  return out;
}

// The same with a protobuf library: google/rpc/status.proto and error_details.proto are shipped
// in protos/google/rpc/ (copies of googleapis' files), so protobufjs (which @grpc/proto-loader
// uses itself) decodes the whole status: every detail by its type (BadRequest, RetryInfo, ...).
// Returns {code, message, details: [{type, ...fields}]}, or null when the call carried no status.
export async function decodeStatus(error, protoDir) {
  const values = error?.metadata?.get?.('grpc-status-details-bin') ?? [];
  if (values.length === 0) return null;
  const { default: protobuf } = await import('protobufjs');
  const root = protobuf.loadSync([`${protoDir}/google/rpc/status.proto`, `${protoDir}/google/rpc/error_details.proto`]);
  const status = root.lookupType('google.rpc.Status').decode(Buffer.from(values[0]));
  const details = status.details.map((any) => {
    const type = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    const decoded = root.lookupType(type).toObject(root.lookupType(type).decode(any.value), { longs: String, enums: String });
    return { type, ...decoded };
  });
  return { code: status.code, message: status.message, details };
}
