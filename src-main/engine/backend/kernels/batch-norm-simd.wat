;; Batch-norm training passes with 128-bit SIMD, run directly on the tfjs wasm heap (the module imports
;; that memory). The maths and the kernels that call these passes are in batch-norm-train.ts; this file
;; is its loops. Values are [rows, C] with C a multiple of 4, channels innermost (NHWC); all pointers
;; are byte offsets into the heap. Sums are taken in float32 over blocks of at most `block` rows and
;; added into float64 totals, so their error does not grow with the batch.
;;
;; Build (wabt): see batch-norm-simd.ts, which embeds the result.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Adds the four float32 lanes of v to the float64 values at p … p+31.
  (func $flush (param $p i32) (param $v v128)
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $p)
      (f64x2.add (v128.load offset=16 (local.get $p))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          (local.get $v) (local.get $v))))))

  ;; sum[c] += Σ x[·, c] and sumSq[c] += Σ x[·, c]² (float64 arrays of C).
  (func (export "stats")
    (param $x i32) (param $rows i32) (param $C i32) (param $block i32) (param $sum i32) (param $sumSq i32)
    (local $stride i32) (local $r0 i32) (local $g i32) (local $p i32) (local $end i32)
    (local $s v128) (local $q v128) (local $v v128)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $g (i32.const 0))
        (loop $groups
          ;; p = x + (r0·C + g)·4, end = x + (min(rows, r0 + block)·C + g)·4
          (local.set $p (i32.add (local.get $x)
            (i32.shl (i32.add (i32.mul (local.get $r0) (local.get $C)) (local.get $g)) (i32.const 2))))
          (local.set $end (i32.add (local.get $x)
            (i32.shl (i32.add (i32.mul
              (select (local.get $rows) (i32.add (local.get $r0) (local.get $block))
                (i32.lt_u (local.get $rows) (i32.add (local.get $r0) (local.get $block))))
              (local.get $C)) (local.get $g)) (i32.const 2))))
          (local.set $s (v128.const f32x4 0 0 0 0))
          (local.set $q (v128.const f32x4 0 0 0 0))
          (loop $rowsLoop
            (local.set $v (v128.load (local.get $p)))
            (local.set $s (f32x4.add (local.get $s) (local.get $v)))
            (local.set $q (f32x4.add (local.get $q) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (br_if $rowsLoop (i32.lt_u (local.get $p) (local.get $end))))
          (call $flush (i32.add (local.get $sum) (i32.shl (local.get $g) (i32.const 3))) (local.get $s))
          (call $flush (i32.add (local.get $sumSq) (i32.shl (local.get $g) (i32.const 3))) (local.get $q))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $C))))
        (local.set $r0 (i32.add (local.get $r0) (local.get $block)))
        (br $blocks))))

  ;; y = x·scale[c] + shift[c] (float32 arrays of C); mode 1: then max(·, 0); mode 2: + r, then max(·, 0).
  (func (export "normalize")
    (param $x i32) (param $y i32) (param $r i32) (param $rows i32) (param $C i32)
    (param $scale i32) (param $shift i32) (param $mode i32)
    (local $end i32) (local $g i32) (local $stride i32) (local $v v128)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $v (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $g)))
              (v128.load (i32.add (local.get $scale) (local.get $g))))
            (v128.load (i32.add (local.get $shift) (local.get $g)))))
          (if (i32.eq (local.get $mode) (i32.const 2))
            (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $r) (local.get $g)))))))
          (if (local.get $mode)
            (then (local.set $v (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))))
          (v128.store (i32.add (local.get $y) (local.get $g)) (local.get $v))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $stride))))
        (local.set $x (i32.add (local.get $x) (local.get $stride)))
        (local.set $y (i32.add (local.get $y) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (local.get $stride)))
        (br $rowsLoop))))

  ;; With g = dy, or dy where y > 0 (mode bit 0): sumG[c] += Σ g and sumGX[c] += Σ g·(x − mean[c])
  ;; (float64 arrays; mean float32), and, with mode bit 1, dRes = g.
  (func (export "gradSums")
    (param $dy i32) (param $x i32) (param $y i32) (param $dRes i32) (param $rows i32) (param $C i32)
    (param $block i32) (param $mean i32) (param $sumG i32) (param $sumGX i32) (param $mode i32)
    (local $stride i32) (local $r0 i32) (local $g i32) (local $o i32) (local $end i32)
    (local $s v128) (local $sx v128) (local $d v128) (local $m v128)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $g (i32.const 0))
        (loop $groups
          ;; o = (r0·C + g)·4 (offset into every array), end = (min(rows, r0 + block)·C + g)·4
          (local.set $o
            (i32.shl (i32.add (i32.mul (local.get $r0) (local.get $C)) (local.get $g)) (i32.const 2)))
          (local.set $end
            (i32.shl (i32.add (i32.mul
              (select (local.get $rows) (i32.add (local.get $r0) (local.get $block))
                (i32.lt_u (local.get $rows) (i32.add (local.get $r0) (local.get $block))))
              (local.get $C)) (local.get $g)) (i32.const 2)))
          (local.set $m (v128.load (i32.add (local.get $mean) (i32.shl (local.get $g) (i32.const 2)))))
          (local.set $s (v128.const f32x4 0 0 0 0))
          (local.set $sx (v128.const f32x4 0 0 0 0))
          (loop $rowsLoop
            (local.set $d (v128.load (i32.add (local.get $dy) (local.get $o))))
            (if (i32.and (local.get $mode) (i32.const 1))
              (then (local.set $d (v128.and (local.get $d)
                (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $o))) (v128.const f32x4 0 0 0 0))))))
            (if (i32.and (local.get $mode) (i32.const 2))
              (then (v128.store (i32.add (local.get $dRes) (local.get $o)) (local.get $d))))
            (local.set $s (f32x4.add (local.get $s) (local.get $d)))
            (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $d)
              (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (local.get $m)))))
            (local.set $o (i32.add (local.get $o) (local.get $stride)))
            (br_if $rowsLoop (i32.lt_u (local.get $o) (local.get $end))))
          (call $flush (i32.add (local.get $sumG) (i32.shl (local.get $g) (i32.const 3))) (local.get $s))
          (call $flush (i32.add (local.get $sumGX) (i32.shl (local.get $g) (i32.const 3))) (local.get $sx))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $C))))
        (local.set $r0 (i32.add (local.get $r0) (local.get $block)))
        (br $blocks))))

  ;; dx = k[c]·(g − a[c] − (x − mean[c])·b[c]) with g as in gradSums (float32 arrays of C).
  (func (export "inputGrad")
    (param $dy i32) (param $x i32) (param $y i32) (param $dx i32) (param $rows i32) (param $C i32)
    (param $mean i32) (param $k i32) (param $a i32) (param $b i32) (param $relu i32)
    (local $o i32) (local $end i32) (local $g i32) (local $stride i32) (local $d v128)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $stride)))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $d (v128.load (i32.add (local.get $dy) (local.get $o))))
          (if (local.get $relu)
            (then (local.set $d (v128.and (local.get $d)
              (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $o))) (v128.const f32x4 0 0 0 0))))))
          (v128.store (i32.add (local.get $dx) (local.get $o))
            (f32x4.mul (v128.load (i32.add (local.get $k) (local.get $g)))
              (f32x4.sub
                (f32x4.sub (local.get $d) (v128.load (i32.add (local.get $a) (local.get $g))))
                (f32x4.mul
                  (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o)))
                    (v128.load (i32.add (local.get $mean) (local.get $g))))
                  (v128.load (i32.add (local.get $b) (local.get $g)))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $stride))))
        (br $rowsLoop))))
)
