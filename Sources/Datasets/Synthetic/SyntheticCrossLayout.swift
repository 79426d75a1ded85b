import Core
import Foundation

/// CPLFW / CALFW's `pairs_<NAME>.txt` for a synthetic dataset, derived from the LFW-style
/// `pairs.txt` already written at `lfwPairs` (docs/synthetic.md, "CPLFW `pairs_CPLFW.txt`"):
/// the same pairs in the same order (each fold's same pairs, then its different pairs, as
/// CPLFW and CALFW order theirs), each as two lines `<photo> <label>` (1 same, 0 different),
/// the photo being the picture's file name `<subject>_<nnnn>.png`, as CPLFW names its
/// `aligned images/` (docs/protocols.md, "CPLFW and CALFW"). The identity the reader takes
/// from a photo, the name without its last `_` field, is then the subject.
func writeSyntheticCrossPairs(lfwPairs: String, to path: String) throws {
    func photo(_ name: Substring, _ number: Substring, line: Int) throws -> String {
        guard let n = Int(number), n >= 1, n <= 9999 else {
            throw InputError(file: lfwPairs, line: line, "picture number '\(number)' is not in 1...9999")
        }
        return "\(name)_\(String(format: "%04d", n)).png"
    }
    var out = ""
    for line in try readTextLines(lfwPairs).dropFirst() {  // the first line is the 'F P' header
        let f = line.text.split(separator: "\t")
        switch f.count {
        case 3:
            out += "\(try photo(f[0], f[1], line: line.number)) 1\n\(try photo(f[0], f[2], line: line.number)) 1\n"
        case 4:
            out += "\(try photo(f[0], f[1], line: line.number)) 0\n\(try photo(f[2], f[3], line: line.number)) 0\n"
        default:
            throw InputError(file: lfwPairs, line: line.number, "expected 'name n1 n2' or 'name1 n1 name2 n2'")
        }
    }
    try writeText(out, to: path)
}
