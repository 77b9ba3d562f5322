/**
 * tfjs-core's Node bundle registers no gradient functions (nor chained ops); the @tensorflow/tfjs
 * bundle does, into the same tfjs-core instance. Without this import tf.grads fails with "gradient
 * function not found for Add" on every backend. Imported for its side effects only.
 */
import '@tensorflow/tfjs';
