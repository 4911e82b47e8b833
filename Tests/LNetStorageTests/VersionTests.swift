import Testing
@testable import LNetStorage

@Test func versionIsSemantic() {
    #expect(LNetVersion.string.split(separator: ".").count == 3)
}
