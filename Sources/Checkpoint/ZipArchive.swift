import Foundation

/// Read-only view of a zip archive as PyTorch writes it: entries STORED (uncompressed),
/// optionally with zip64 extensions for large archives. The file is memory-mapped so that a
/// multi-hundred-megabyte checkpoint is not copied before its tensors are converted.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let path: String
    let data: Data
    private(set) var entries: [String: Entry] = [:]
    private(set) var names: [String] = []

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(path: path, message: "cannot be read (\(error.localizedDescription))")
        }
        guard data.count >= 4 else {
            throw CheckpointError(path: path, message: "is too short to be a checkpoint (\(data.count) bytes)")
        }
        if data[data.startIndex] != 0x50 || data[data.startIndex + 1] != 0x4B {
            if data[data.startIndex] == 0x80 {
                throw CheckpointError(path: path, message: "is a legacy (non-zip) PyTorch checkpoint, which is not supported; re-save it with torch.save(obj, path) from PyTorch >= 1.6")
            }
            throw CheckpointError(path: path, message: "is not a zip archive (expected a PyTorch .pth written by torch.save)")
        }
        try readCentralDirectory()
    }

    private func u16(_ at: Int) throws -> Int {
        guard at >= 0, at + 2 <= data.count else { throw truncated() }
        return Int(data[data.startIndex + at]) | Int(data[data.startIndex + at + 1]) << 8
    }

    private func u32(_ at: Int) throws -> Int {
        return try u16(at) | (try u16(at + 2)) << 16
    }

    private func u64(_ at: Int) throws -> Int {
        let lo = try u32(at), hi = try u32(at + 4)
        guard hi < (1 << 31) else { throw truncated() }
        return lo | hi << 32
    }

    private func truncated() -> CheckpointError {
        CheckpointError(path: path, message: "is a damaged zip archive (a header points outside the file)")
    }

    private mutating func readCentralDirectory() throws {
        // End of central directory: 22 bytes plus a comment of at most 65535 bytes.
        let n = data.count
        var eocd = -1
        var i = n - 22
        while i >= max(0, n - 22 - 65535) {
            if try u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw CheckpointError(path: path, message: "is a damaged zip archive (no end-of-central-directory record)")
        }
        var count = try u16(eocd + 10)
        var cdOffset = try u32(eocd + 16)
        if eocd >= 20, try u32(eocd - 20) == 0x0706_4B50 {
            let z64 = try u64(eocd - 20 + 8)
            guard try u32(z64) == 0x0606_4B50 else { throw truncated() }
            count = try u64(z64 + 32)
            cdOffset = try u64(z64 + 48)
        }
        var p = cdOffset
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4B50 else { throw truncated() }
            let method = UInt16(try u16(p + 10))
            var csize = try u32(p + 20)
            var usize = try u32(p + 24)
            let nameLen = try u16(p + 28), extraLen = try u16(p + 30), commentLen = try u16(p + 32)
            var offset = try u32(p + 42)
            guard p + 46 + nameLen <= n else { throw truncated() }
            let nameBytes = data[(data.startIndex + p + 46)..<(data.startIndex + p + 46 + nameLen)]
            let name = String(decoding: nameBytes, as: UTF8.self)
            // zip64 extended information: present fields follow in a fixed order.
            var e = p + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {
                let tag = try u16(e), size = try u16(e + 2)
                if tag == 0x0001 {
                    var q = e + 4
                    if usize == 0xFFFF_FFFF { usize = try u64(q); q += 8 }
                    if csize == 0xFFFF_FFFF { csize = try u64(q); q += 8 }
                    if offset == 0xFFFF_FFFF { offset = try u64(q); q += 8 }
                }
                e += 4 + size
            }
            entries[name] = Entry(name: name, method: method, compressedSize: csize, size: usize,
                                  localHeaderOffset: offset)
            names.append(name)
            p = extraEnd + commentLen
        }
    }

    /// Byte range of an entry's contents inside `data`, relative to `data.startIndex`.
    func range(of name: String) throws -> Range<Int> {
        guard let entry = entries[name] else {
            throw CheckpointError(path: path, message: "has no entry \(name)")
        }
        guard entry.method == 0 else {
            throw CheckpointError(path: path, message: "entry \(name) is compressed (zip method \(entry.method)); only uncompressed (stored) entries, as torch.save writes them, are supported")
        }
        let h = entry.localHeaderOffset
        guard try u32(h) == 0x0403_4B50 else { throw truncated() }
        let start = h + 30 + (try u16(h + 26)) + (try u16(h + 28))
        guard start + entry.size <= data.count else { throw truncated() }
        return start..<(start + entry.size)
    }
}
