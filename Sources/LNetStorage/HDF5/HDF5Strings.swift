import CHDF5
import Foundation

/// Reading and writing strings, shared by datasets and attributes, which
/// differ only in the final H5Dread/H5Aread (H5Dwrite/H5Awrite) call.
enum HDF5Strings {
    /// Reads `shape`'s elements of a string type (fixed or variable length).
    /// `transfer(memType, buffer)` performs the actual read.
    static func read(
        fileType: hid_t, space: hid_t, shape: [Int], site: HDF5Site, operation: String,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard H5Tget_class(fileType) == H5T_STRING else {
            let stored = (try? HDF5TypeID.elementType(of: fileType, site: site))?.numpyName ?? "non-string data"
            throw site.error(.typeMismatch, operation, "holds \(stored), not strings")
        }
        let isVariable = try site.check(H5Tis_variable_str(fileType), operation) > 0
        let cset = H5Tget_cset(fileType)
        if isVariable {
            let count = try HDF5Dataspace.checkedCount(
                shape, elementSize: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride, site: site, operation: operation)
            if count == 0 { return [] }
            let memType = try HDF5TypeID.string(length: nil, utf8: cset == H5T_CSET_UTF8, site: site)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { $0.baseAddress.map { base in transfer(memType.id, base) } ?? -1 }
            try site.check(status, operation)
            // Strings HDF5 allocated are given back with the library's own
            // allocator, whatever happens to the conversion below.
            defer {
                _ = pointers.withUnsafeMutableBytes {
                    H5Dvlen_reclaim(memType.id, space, lnet_H5P_DEFAULT(), $0.baseAddress)
                }
            }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(fileType)
        guard size > 0 else { throw site.libraryError(operation) }
        let count = try HDF5Dataspace.checkedCount(shape, elementSize: size, site: site, operation: operation)
        if count == 0 { return [] }
        let memType = HDF5TypeID(try site.check(H5Tcopy(fileType), operation), owned: true)
        let padding = H5Tget_strpad(fileType)
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes { $0.baseAddress.map { base in transfer(memType.id, base) } ?? -1 }
        try site.check(status, operation)
        return (0..<count).map { index in
            var element = bytes[(index * size)..<((index + 1) * size)]
            if padding == H5T_STR_SPACEPAD {
                while element.last == 0x20 { element.removeLast() }
            } else if let end = element.firstIndex(of: 0) {
                element = element[..<end]
            }
            return String(decoding: element, as: UTF8.self)
        }
    }

    /// Writes strings with the string type `fileType` (fixed or variable length).
    static func write(
        _ strings: [String], fileType: hid_t, site: HDF5Site, operation: String,
        transfer: (hid_t, UnsafeRawPointer) -> herr_t
    ) throws {
        guard H5Tget_class(fileType) == H5T_STRING else {
            throw site.error(.typeMismatch, operation, "holds non-string data, not strings")
        }
        if strings.contains(where: { $0.utf8.contains(0) }) {
            throw site.error(.invalidArgument, operation, "HDF5 strings cannot contain NUL characters")
        }
        let isVariable = try site.check(H5Tis_variable_str(fileType), operation) > 0
        if isVariable {
            let memType = try HDF5TypeID.string(length: nil, utf8: true, site: site)
            let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            let status = pointers.withUnsafeBytes { $0.baseAddress.map { base in transfer(memType.id, base) } ?? -1 }
            try site.check(status, operation)
            return
        }
        let size = H5Tget_size(fileType)
        guard size > 0 else { throw site.libraryError(operation) }
        var bytes = [UInt8](repeating: 0, count: strings.count * size)
        for (index, string) in strings.enumerated() {
            let utf8 = Array(string.utf8)
            guard utf8.count <= size else {
                throw site.error(
                    .invalidArgument, operation,
                    "the string \"\(string.prefix(40))\" is \(utf8.count) bytes, longer than the fixed length \(size)")
            }
            bytes.replaceSubrange((index * size)..<(index * size + utf8.count), with: utf8)
        }
        let memType = HDF5TypeID(try site.check(H5Tcopy(fileType), operation), owned: true)
        let status = bytes.withUnsafeBytes { $0.baseAddress.map { base in transfer(memType.id, base) } ?? -1 }
        try site.check(status, operation)
    }

    /// The fixed length for `strings` under `layout`, checked.
    static func fixedLength(_ strings: [String], bytes: Int?, site: HDF5Site, operation: String) throws -> Int {
        let longest = strings.map(\.utf8.count).max() ?? 0
        guard let bytes else { return max(longest, 1) }
        guard bytes > 0 else {
            throw site.error(.invalidArgument, operation, "a fixed string length must be positive, not \(bytes)")
        }
        if longest > bytes, let string = strings.first(where: { $0.utf8.count > bytes }) {
            throw site.error(
                .invalidArgument, operation,
                "the string \"\(string.prefix(40))\" is \(string.utf8.count) bytes, longer than the fixed length \(bytes)")
        }
        return bytes
    }

    /// The stored string type for `layout`: fixed-length strings are ASCII
    /// when every string is, UTF-8 otherwise (numpy reads either as `S`).
    static func fileType(for layout: StringLayout, strings: [String], site: HDF5Site, operation: String) throws -> HDF5TypeID {
        switch layout {
        case .variableLength:
            return try HDF5TypeID.string(length: nil, utf8: true, site: site)
        case .fixedLength(let bytes):
            let length = try fixedLength(strings, bytes: bytes, site: site, operation: operation)
            let ascii = strings.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
            return try HDF5TypeID.string(length: length, utf8: !ascii, site: site)
        }
    }
}
