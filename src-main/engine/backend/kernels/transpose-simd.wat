;; Two float32 transposes with 128-bit SIMD on the tfjs wasm heap (the module imports that memory),
;; for the layouts the convolution filter gradient needs (conv2d-backprop-filter.ts): moving the batch
;; to the channel axis and back. All pointers are byte offsets; the wrapper in transpose.ts checks the
;; conditions (multiples of 4) and falls back to tfjs's own kernel otherwise.
;;
;; Build (wabt): see transpose-simd.ts, which embeds the result.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; out[c, p, n] = in[n, p, c] for in [N, P, C], N and C multiples of 4: 4×4 blocks (four rows n, four
  ;; channels c) are loaded as four vectors, transposed with shuffles and stored along n.
  (func (export "swapOuterInner")
    (param $in i32) (param $out i32) (param $N i32) (param $P i32) (param $C i32)
    (local $p i32) (local $n i32) (local $c i32) (local $inStride i32) (local $outStride i32)
    (local $src i32) (local $dst i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ;; bytes from in[n, p, c] to in[n + 1, p, c], and from out[c, p, n] to out[c + 1, p, n]
    (local.set $inStride (i32.shl (i32.mul (local.get $P) (local.get $C)) (i32.const 2)))
    (local.set $outStride (i32.shl (i32.mul (local.get $P) (local.get $N)) (i32.const 2)))
    (loop $pLoop
      (local.set $n (i32.const 0))
      (loop $nLoop
        (local.set $c (i32.const 0))
        (loop $cLoop
          ;; src = in + ((n·P + p)·C + c)·4, dst = out + ((c·P + p)·N + n)·4
          (local.set $src (i32.add (local.get $in) (i32.shl (i32.add (i32.mul
            (i32.add (i32.mul (local.get $n) (local.get $P)) (local.get $p)) (local.get $C)) (local.get $c))
            (i32.const 2))))
          (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul
            (i32.add (i32.mul (local.get $c) (local.get $P)) (local.get $p)) (local.get $N)) (local.get $n))
            (i32.const 2))))
          (local.set $r0 (v128.load (local.get $src)))
          (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $inStride))))
          (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $inStride) (i32.const 1)))))
          (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $inStride) (i32.const 3)))))
          ;; [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3]
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
          ;; [a0 b0 c0 d0] … [a3 b3 c3 d3]
          (v128.store (local.get $dst)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $dst) (local.get $outStride))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $dst) (i32.shl (local.get $outStride) (i32.const 1)))
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $outStride) (i32.const 3)))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br_if $cLoop (i32.lt_u (local.get $c) (local.get $C))))
        (local.set $n (i32.add (local.get $n) (i32.const 4)))
        (br_if $nLoop (i32.lt_u (local.get $n) (local.get $N))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pLoop (i32.lt_u (local.get $p) (local.get $P)))))

  ;; out[p, n, c] = in[n, p, c] for in [N, P, C], C a multiple of 4: rows of C values, read in order.
  (func (export "swapOuter")
    (param $in i32) (param $out i32) (param $N i32) (param $P i32) (param $C i32)
    (local $n i32) (local $p i32) (local $o i32) (local $row i32) (local $dst i32) (local $outStride i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    ;; bytes from out[p, n, 0] to out[p + 1, n, 0]
    (local.set $outStride (i32.mul (local.get $row) (local.get $N)))
    (loop $nLoop
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $n) (local.get $row))))
      (local.set $p (i32.const 0))
      (loop $pLoop
        (local.set $o (i32.const 0))
        (loop $cLoop
          (v128.store (i32.add (local.get $dst) (local.get $o)) (v128.load (i32.add (local.get $in) (local.get $o))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $cLoop (i32.lt_u (local.get $o) (local.get $row))))
        (local.set $in (i32.add (local.get $in) (local.get $row)))
        (local.set $dst (i32.add (local.get $dst) (local.get $outStride)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $pLoop (i32.lt_u (local.get $p) (local.get $P))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nLoop (i32.lt_u (local.get $n) (local.get $N)))))
)
