import Foundation

/// Runs a producer (the caller's thread: parsing) and a consumer (a second
/// thread: HDF5 writing and compression) at the same time, with at most
/// `capacity` chunks waiting between them, so that the conversion uses both
/// cores while its memory stays bounded.
///
/// `@unchecked Sendable`: every mutable field is guarded by `condition`.
final class ChunkPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [RowChunk] = []
    private var producerDone = false
    private var consumerDone = false
    private var cancelled = false
    private var failure: (any Error)?
    private let capacity: Int
    private let concurrent: Bool

    /// - Parameter concurrent: false runs `consume` on the calling thread
    ///   right after each `produce` (`lnet convert --threads 1`).
    init(capacity: Int = 2, concurrent: Bool = true) {
        self.capacity = max(1, capacity)
        self.concurrent = concurrent
    }

    /// Calls `produce` until it returns nil, handing each chunk to `consume`
    /// on another thread in order. The first error of either side stops both
    /// and is rethrown; `consume` is not called again after an error.
    func run(produce: () throws -> RowChunk?, consume: @escaping @Sendable (RowChunk) throws -> Void) throws {
        guard concurrent else {
            while let chunk = try produce() { try consume(chunk) }
            return
        }
        let thread = Thread { [self] in
            while let chunk = take() {
                do {
                    try consume(chunk)
                } catch {
                    fail(error)
                    break
                }
            }
            condition.lock()
            consumerDone = true
            condition.broadcast()
            condition.unlock()
        }
        // Room for the writer's HDF5 and zlib buffers.
        thread.stackSize = 8 << 20
        thread.start()
        do {
            while let chunk = try produce() {
                guard put(chunk) else { break }
            }
        } catch {
            fail(error)
        }
        condition.lock()
        producerDone = true
        condition.broadcast()
        while !consumerDone { condition.wait() }
        let error = failure
        condition.unlock()
        if let error { throw error }
    }

    /// Queues a chunk, waiting while the queue is full; false once the
    /// consumer has failed.
    private func put(_ chunk: RowChunk) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(chunk)
        condition.broadcast()
        return true
    }

    /// The next chunk, or nil when the producer is done (or either side failed).
    private func take() -> RowChunk? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !producerDone, !cancelled { condition.wait() }
        guard !cancelled, !queue.isEmpty else { return nil }
        let chunk = queue.removeFirst()
        condition.broadcast()
        return chunk
    }

    private func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
