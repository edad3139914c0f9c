//! Threads of the run beyond rayon's `par_iter`: files read on a pool of
//! their own ([`in_parallel`]), a value one thread builds while others wait
//! ([`Built`]), and freeing big vectors on every core.

use rayon::prelude::*;

/// Frees `items` on every core: millions of small allocations took a few
/// tenths of a second on one core while the other waited.
pub fn drop_in_parallel<T: Send>(items: Vec<T>) {
    items.into_par_iter().for_each(drop);
}

/// The vectors one after another, each moved into its place on any core.
/// A province's roster is hundreds of MB of members: appended on one core,
/// touching every fresh page of the result, they held up the whole run
/// (docs/PERFORMANCE.md). Written here because rayon's `collect` of a
/// flattened iterator appends its pieces on one thread too.
pub fn concat<T: Send>(parts: Vec<Vec<T>>) -> Vec<T> {
    let total = parts.iter().map(Vec::len).sum();
    let mut all = Vec::with_capacity(total);
    let mut spare = &mut all.spare_capacity_mut()[..total];
    let mut slots = Vec::with_capacity(parts.len());
    for part in &parts {
        let (slot, rest) = spare.split_at_mut(part.len());
        slots.push(slot);
        spare = rest;
    }
    slots.into_par_iter().zip(parts).for_each(|(slot, part)| {
        for (place, value) in slot.iter_mut().zip(part) {
            place.write(value);
        }
    });
    // SAFETY: the slots are the first `total` places of `all`, in order,
    // each as long as its part, and every place was written above.
    unsafe { all.set_len(total) };
    all
}

/// `f` over `items` on as many threads as rayon's pool has (so
/// `RAYON_NUM_THREADS` rules here too), results in item order. Not rayon's
/// tasks: a rayon worker that waits for polars' own pool starts another item
/// meanwhile, and then more files than threads would be in memory at once.
/// Each thread of a pool of its own takes the next item until none is left.
/// The pool lives as long as the process: what its threads allocate (the
/// holdings' strings) is freed later on other threads, and freeing into a
/// finished thread's memory cost 0.7 s of CPU at 1M households.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("hedui-part-{i}"))
            .build()
            .expect("threads for reading files")
    });
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = pool.current_num_threads().min(items.len().max(1));
    let mut done: Vec<(usize, R)> = pool
        .broadcast(|ctx| {
            let mut out = Vec::new();
            if ctx.index() >= threads {
                return out;
            }
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    return out;
                };
                out.push((i, f(item)));
            }
        })
        .into_iter()
        .flatten()
        .collect();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A value one thread builds while others wait for it. If the builder
/// panics, the waiters panic too instead of waiting for ever.
pub struct Built<T> {
    value: std::sync::OnceLock<T>,
    done: std::sync::Mutex<bool>,
    ready: std::sync::Condvar,
}

impl<T> Default for Built<T> {
    fn default() -> Self {
        Built {
            value: std::sync::OnceLock::new(),
            done: std::sync::Mutex::new(false),
            ready: std::sync::Condvar::new(),
        }
    }
}

impl<T> Built<T> {
    pub fn build(&self, f: impl FnOnce() -> T) {
        /// Wakes the waiters when building ends, by returning or unwinding.
        struct Done<'a, T>(&'a Built<T>);
        impl<T> Drop for Done<'_, T> {
            fn drop(&mut self) {
                *self.0.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
                self.0.ready.notify_all();
            }
        }
        let _done = Done(self);
        let _ = self.value.set(f());
    }

    pub fn wait(&self) -> &T {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        while !*done {
            done = self.ready.wait(done).unwrap_or_else(|e| e.into_inner());
        }
        self.value
            .get()
            .expect("the thread building this value panicked")
    }

    pub fn into_inner(self) -> T {
        self.value
            .into_inner()
            .expect("the thread building this value panicked")
    }
}

#[cfg(test)]
mod tests {
    use super::Built;

    #[test]
    fn concat_keeps_every_value_in_order() {
        let parts: Vec<Vec<String>> = [3, 0, 5, 1, 0, 4]
            .iter()
            .enumerate()
            .map(|(p, &n)| (0..n).map(|k| format!("{p}.{k}")).collect())
            .collect();
        let serial: Vec<String> = parts.iter().flatten().cloned().collect();
        assert_eq!(super::concat(parts), serial);
        assert!(super::concat(Vec::<Vec<u8>>::new()).is_empty());
    }

    #[test]
    fn waiters_get_the_built_value_or_a_panic_never_a_hang() {
        let built: Built<u32> = Built::default();
        let seen = std::thread::scope(|s| {
            let waiter = s.spawn(|| *built.wait());
            s.spawn(|| built.build(|| 7));
            waiter.join().unwrap()
        });
        assert_eq!(seen, 7);

        let broken: Built<u32> = Built::default();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| *broken.wait());
            let builder = s.spawn(|| broken.build(|| panic!("no index")));
            assert!(builder.join().is_err());
            assert!(waiter.join().is_err(), "the waiter must panic, not wait");
        });
    }
}
