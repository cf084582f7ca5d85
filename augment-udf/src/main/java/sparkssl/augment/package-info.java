/**
 * Image decoding and the self-supervised view augmentations, as plain Java and as Spark SQL UDFs.
 *
 * <p>A view is a pure function of (seed, epoch, image path, view index): the same on any executor, on
 * a rerun and after a task retry. Transforms follow torchvision's semantics of the same name. This
 * module knows nothing of DL4J: views leave it as uint8 CHW bytes.
 */
package sparkssl.augment;
