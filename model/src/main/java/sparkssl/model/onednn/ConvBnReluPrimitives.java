package sparkssl.model.onednn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;

import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.normalization_flags;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.memory.format_tag;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The oneDNN primitives of one {@link ConvBnRelu} layer for one input shape, and the buffers they
 * keep between the forward pass and the backward pass (the input in the convolution's layout, the
 * convolution's output, the batch statistics' ReLU workspace). ND4J arrays are read and written in
 * place through memory handles; only the layer's output and input gradient are reordered from the
 * primitives' blocked layouts to NCHW.
 */
final class ConvBnReluPrimitives {
  private final stream s = OneDnn.newStream();
  private final boolean training;

  private final memory xUser;
  private final memory wUser;
  private final memory scaleShiftUser;
  private final memory meanUser;
  private final memory varUser;
  private final memory yUser;

  private final convolution_forward conv;
  private final memory src;
  private final reorder toSrc;
  private final Relayout weights;
  private final memory convDst;
  private final batch_normalization_forward bn;
  private final memory workspace;
  private final Relayout bnDst;
  private memory wConv;

  private batch_normalization_backward bnBack;
  private convolution_backward_weights convBackWeights;
  private convolution_backward_data convBackData;
  private memory dyUser;
  private memory dwUser;
  private memory dScaleShiftUser;
  private memory dxUser;
  private Relayout dyIn;
  private memory dConv;
  private Relayout srcForWeights;
  private Relayout dConvForWeights;
  private Relayout dwOut;
  private Relayout dConvForData;
  private Relayout weightsForData;
  private Relayout dxOut;

  ConvBnReluPrimitives(ConvBnRelu conf, long[] inShape, boolean training) {
    this.training = training;
    long n = inShape[0];
    long c = inShape[1];
    long oc = conf.getNOut();
    int k = conf.getKernel();
    int stride = conf.getStride();
    long oh = OneDnn.outSize(inShape[2], k, stride, conf.getPadding(), conf.isSame());
    long ow = OneDnn.outSize(inShape[3], k, stride, conf.getPadding(), conf.isSame());
    long[] padH = OneDnn.padding(inShape[2], oh, k, stride, conf.getPadding(), conf.isSame());
    long[] padW = OneDnn.padding(inShape[3], ow, k, stride, conf.getPadding(), conf.isSame());
    long[] srcDims = inShape.clone();
    long[] wDims = {oc, c, k, k};
    long[] dstDims = {n, oc, oh, ow};
    long[] strides = {stride, stride};
    long[] padL = {padH[0], padW[0]};
    long[] padR = {padH[1], padW[1]};

    prop_kind prop = training ? prop_kind.forward_training : prop_kind.forward_inference;
    convolution_forward.primitive_desc convPd = new convolution_forward.primitive_desc(new convolution_forward.desc(
        prop, algorithm.convolution_direct, OneDnn.any(srcDims), OneDnn.any(wDims), OneDnn.any(dstDims),
        strides, padL, padR), OneDnn.engine());
    int flags = normalization_flags.use_scale_shift.value
        | (conf.isRelu() ? normalization_flags.fuse_norm_relu.value : 0)
        | (training ? 0 : normalization_flags.use_global_stats.value);
    batch_normalization_forward.primitive_desc bnPd = new batch_normalization_forward.primitive_desc(
        new batch_normalization_forward.desc(prop.value, convPd.dst_desc(), (float) conf.getEps(), flags), OneDnn.engine());

    conv = new convolution_forward(convPd);
    bn = new batch_normalization_forward(bnPd);
    xUser = OneDnn.handle(OneDnn.plain(srcDims, format_tag.nchw));
    wUser = OneDnn.handle(OneDnn.plain(wDims, format_tag.oihw));
    yUser = OneDnn.handle(OneDnn.plain(dstDims, format_tag.nchw));
    scaleShiftUser = OneDnn.handle(bnPd.weights_desc());
    meanUser = OneDnn.handle(bnPd.mean_desc());
    varUser = OneDnn.handle(bnPd.variance_desc());
    // the backward pass reads the input after DL4J may have released it: keep a copy in the conv's layout
    src = OneDnn.allocate(convPd.src_desc());
    toSrc = new reorder(xUser, src);
    weights = Relayout.reading(wUser.get_desc(), convPd.weights_desc());
    convDst = OneDnn.allocate(convPd.dst_desc());
    workspace = training && conf.isRelu() ? OneDnn.allocate(bnPd.workspace_desc()) : null;
    bnDst = Relayout.writing(yUser.get_desc(), bnPd.dst_desc());
    if (training) {
      prepareBackward(conf, convPd, bnPd, flags, srcDims, wDims, dstDims, strides, padL, padR);
    }
  }

  private void prepareBackward(ConvBnRelu conf, convolution_forward.primitive_desc convPd,
      batch_normalization_forward.primitive_desc bnPd, int flags, long[] srcDims, long[] wDims, long[] dstDims,
      long[] strides, long[] padL, long[] padR) {
    batch_normalization_backward.primitive_desc bnBackPd = new batch_normalization_backward.primitive_desc(
        new batch_normalization_backward.desc(prop_kind.backward.value, bnPd.dst_desc(), convPd.dst_desc(),
            (float) conf.getEps(), flags), OneDnn.engine(), bnPd);
    convolution_backward_weights.primitive_desc weightsPd = new convolution_backward_weights.primitive_desc(
        new convolution_backward_weights.desc(algorithm.convolution_direct, OneDnn.any(srcDims), OneDnn.any(wDims),
            OneDnn.any(dstDims), strides, padL, padR), OneDnn.engine(), convPd);
    convolution_backward_data.primitive_desc dataPd = new convolution_backward_data.primitive_desc(
        new convolution_backward_data.desc(algorithm.convolution_direct, OneDnn.any(srcDims), OneDnn.any(wDims),
            OneDnn.any(dstDims), strides, padL, padR), OneDnn.engine(), convPd);
    bnBack = new batch_normalization_backward(bnBackPd);
    convBackWeights = new convolution_backward_weights(weightsPd);
    convBackData = new convolution_backward_data(dataPd);
    dyUser = OneDnn.handle(yUser.get_desc());
    dwUser = OneDnn.handle(wUser.get_desc());
    dxUser = OneDnn.handle(xUser.get_desc());
    dScaleShiftUser = OneDnn.handle(bnBackPd.diff_weights_desc());
    dyIn = Relayout.reading(dyUser.get_desc(), bnBackPd.diff_dst_desc());
    dConv = OneDnn.allocate(bnBackPd.diff_src_desc());
    srcForWeights = Relayout.reading(convPd.src_desc(), weightsPd.src_desc());
    dConvForWeights = Relayout.reading(bnBackPd.diff_src_desc(), weightsPd.diff_dst_desc());
    dwOut = Relayout.writing(dwUser.get_desc(), weightsPd.diff_weights_desc());
    dConvForData = Relayout.reading(bnBackPd.diff_src_desc(), dataPd.diff_dst_desc());
    weightsForData = Relayout.reading(convPd.weights_desc(), dataPd.weights_desc());
    dxOut = Relayout.writing(dxUser.get_desc(), dataPd.diff_src_desc());
  }

  boolean training() {
    return training;
  }

  /**
   * {@code y = relu(bn(conv(x, w)))}. Training: {@code mean} and {@code var} receive the batch's
   * statistics (biased variance). Inference: they are read as the running statistics.
   */
  void forward(INDArray x, INDArray w, INDArray scaleShift, INDArray mean, INDArray var, INDArray y) {
    OneDnn.point(xUser, x);
    OneDnn.point(wUser, w);
    OneDnn.point(scaleShiftUser, scaleShift);
    OneDnn.point(meanUser, mean);
    OneDnn.point(varUser, var);
    OneDnn.point(yUser, y);
    toSrc.execute(s, xUser, src);
    wConv = weights.in(s, wUser);
    OneDnn.execute(conv, s, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST}, src, wConv, convDst);
    memory out = bnDst.buffer(yUser);
    if (workspace != null) {
      OneDnn.execute(bn, s, new int[] {DNNL_ARG_SRC, DNNL_ARG_SCALE_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST,
          DNNL_ARG_WORKSPACE}, convDst, scaleShiftUser, meanUser, varUser, out, workspace);
    } else {
      OneDnn.execute(bn, s, new int[] {DNNL_ARG_SRC, DNNL_ARG_SCALE_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST},
          convDst, scaleShiftUser, meanUser, varUser, out);
    }
    bnDst.out(s, yUser);
    s._wait();
  }

  /**
   * Gradients of the last training forward pass: into {@code dw} and {@code dScaleShift} (overwritten),
   * and into {@code dx} unless it is null. The arrays the forward pass read (weights, scale and shift,
   * batch statistics) must still hold what they held then.
   */
  void backward(INDArray dy, INDArray dw, INDArray dScaleShift, INDArray dx) {
    if (!training) {
      throw new IllegalStateException("backward after an inference pass");
    }
    OneDnn.point(dyUser, dy);
    OneDnn.point(dwUser, dw);
    OneDnn.point(dScaleShiftUser, dScaleShift);
    memory dyBn = dyIn.in(s, dyUser);
    int[] args = workspace != null
        ? new int[] {DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST, DNNL_ARG_SCALE_SHIFT,
            DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_SCALE_SHIFT, DNNL_ARG_WORKSPACE}
        : new int[] {DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST, DNNL_ARG_SCALE_SHIFT,
            DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_SCALE_SHIFT};
    memory[] values = workspace != null
        ? new memory[] {convDst, meanUser, varUser, dyBn, scaleShiftUser, dConv, dScaleShiftUser, workspace}
        : new memory[] {convDst, meanUser, varUser, dyBn, scaleShiftUser, dConv, dScaleShiftUser};
    OneDnn.execute(bnBack, s, args, values);
    OneDnn.execute(convBackWeights, s, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
        srcForWeights.in(s, src), dConvForWeights.in(s, dConv), dwOut.buffer(dwUser));
    dwOut.out(s, dwUser);
    if (dx != null) {
      OneDnn.point(dxUser, dx);
      OneDnn.execute(convBackData, s, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
          dConvForData.in(s, dConv), weightsForData.in(s, wConv), dxOut.buffer(dxUser));
      dxOut.out(s, dxUser);
    }
    s._wait();
  }
}
